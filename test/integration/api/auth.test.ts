import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/database.js';
import { createWorld, PASSWORD, type World } from '../../support/world.js';

describe.each(DIALECTS)('authentication (%s)', (dialect) => {
  let w: World;
  beforeAll(async () => {
    w = await createWorld(dialect, {
      throttle: {
        account: { maxFailures: 3, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
        address: { maxFailures: 6, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
      },
    });
  });
  afterAll(() => w?.close());

  const attempt = (email: string, password: string, address = '10.1.1.1') =>
    w.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password },
      remoteAddress: address,
    });

  it('signs in with e-mail and password and answers /me with role and permissions', async () => {
    const res = await attempt(w.a.users.clinician.email.toUpperCase(), PASSWORD);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.token).toMatch(/^mdr_/);
    expect(body.user).toMatchObject({ email: w.a.users.clinician.email, role: 'clinician' });
    const me = await w.call(body.token, 'GET', '/api/v1/me');
    expect(me.statusCode).toBe(200);
    expect(me.json().organization.id).toBe(w.a.id);
    expect(me.json().permissions.photo).toEqual({ read: true, write: true });
  });

  it('stores tokens only as hashes', async () => {
    const token = await w.login(w.a.users.admin.email);
    const rows = await w.database.db.selectFrom('sessions').select('token_hash').execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((r) => r.token_hash === token)).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
  });

  it('rejects a wrong password with a problem+json that names no account detail', async () => {
    const wrong = await attempt(w.b.users.admin.email, 'not the password', '10.9.9.9');
    const unknown = await attempt('nobody@nowhere.test', 'whatever', '10.9.9.9');
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ code: 'invalid_credentials', status: 401 });
    }
    expect(unknown.json().detail).toBe(wrong.json().detail);
  });

  it('throttles repeated wrong passwords for an account, even when the right one follows', async () => {
    const email = w.a.users.billing.email;
    for (let i = 0; i < 3; i++) {
      expect((await attempt(email, 'guess-' + i, `10.2.0.${i}`)).statusCode).toBe(401);
    }
    const locked = await attempt(email, PASSWORD, '10.2.0.99');
    expect(locked.statusCode).toBe(429);
    expect(locked.json().code).toBe('login_throttled');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);

    w.time.advance(16 * 60_000);
    expect((await attempt(email, PASSWORD, '10.2.0.99')).statusCode).toBe(200);
  });

  it('throttles one client address that tries many accounts', async () => {
    const address = '10.3.3.3';
    const emails = Object.values(w.b.users).map((u) => u.email);
    for (let i = 0; i < 6; i++) {
      expect((await attempt(emails[i % emails.length]!, 'wrong', address)).statusCode).toBe(401);
    }
    expect((await attempt(w.b.users.clinician.email, PASSWORD, address)).statusCode).toBe(429);
    expect((await attempt(w.b.users.clinician.email, PASSWORD, '10.3.3.4')).statusCode).toBe(200);
    w.time.advance(16 * 60_000);
  });

  it('revokes the token on logout', async () => {
    const token = await w.login(w.a.users['front-desk'].email);
    expect((await w.call(token, 'GET', '/api/v1/me')).statusCode).toBe(200);
    expect((await w.call(token, 'POST', '/api/v1/auth/logout')).statusCode).toBe(204);
    const after = await w.call(token, 'GET', '/api/v1/me');
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('unauthenticated');
  });

  it('expires sessions', async () => {
    const token = await w.login(w.a.users.admin.email);
    w.time.advance(9 * 3600_000);
    const res = await w.call(token, 'GET', '/api/v1/me');
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('session_expired');
  });

  it('requires a token on every API route but login, health and the OpenAPI document', async () => {
    expect((await w.call(null, 'GET', '/api/v1/patients')).json().code).toBe('unauthenticated');
    expect((await w.call('mdr_forged', 'GET', '/api/v1/documents')).statusCode).toBe(401);
    expect((await w.call(null, 'GET', '/healthz')).statusCode).toBe(200);
    const openapi = await w.call(null, 'GET', '/api/v1/openapi.json');
    expect(openapi.statusCode).toBe(200);
    expect(Object.keys(openapi.json().paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/documents',
        '/api/v1/documents/{id}',
        '/api/v1/audit/verify',
      ]),
    );
  });
});
