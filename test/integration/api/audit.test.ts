// The audit log records every access and change, cannot be changed through the API, and
// `audit/verify` finds a row edited or removed directly in the database.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/database.js';
import { createWorld, type World } from '../../support/world.js';

interface Event {
  id: string;
  seq: number;
  action: string;
  outcome: string;
  userId: string | null;
  entityId: string | null;
  patientId: string | null;
  clientAddress: string | null;
  userAgent: string | null;
}

describe.each(DIALECTS)('audit log (%s)', (dialect) => {
  let w: World;
  let admin: string;
  beforeAll(async () => {
    w = await createWorld(dialect);
    admin = await w.login(w.a.users.admin.email, '10.7.7.7');
  });
  afterAll(() => w?.close());

  const events = async (query = ''): Promise<Event[]> => {
    const res = await w.call(admin, 'GET', `/api/v1/audit?limit=100${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().items;
  };

  it('records logins, failed logins, lists, views, changes, deletes and logouts', async () => {
    const clinician = await w.login(w.a.users.clinician.email, '10.8.8.8');
    await w.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: w.a.users.clinician.email, password: 'wrong' },
      remoteAddress: '10.8.8.9',
    });
    const patientId = w.a.patients[0]!;
    const docId = w.a.documents.lab;
    await w.call(clinician, 'GET', `/api/v1/patients?q=lov`);
    await w.call(clinician, 'GET', `/api/v1/patients/${patientId}`);
    await w.call(clinician, 'GET', `/api/v1/documents?patientId=${patientId}`);
    await w.call(clinician, 'GET', `/api/v1/documents/${docId}`);
    await w.call(clinician, 'PATCH', `/api/v1/documents/${docId}`, { title: 'CBC panel' });
    await w.call(admin, 'DELETE', `/api/v1/documents/${docId}`);
    await w.call(clinician, 'POST', '/api/v1/auth/logout');

    const mine = await events(`&userId=${w.a.users.clinician.id}`);
    const actions = mine.map((e) => `${e.action}:${e.outcome}`).reverse();
    expect(actions).toEqual([
      'auth.login:success',
      'auth.login:failure',
      'patient.search:success',
      'patient.view:success',
      'document.list:success',
      'document.view:success',
      'document.update:success',
      'auth.logout:success',
    ]);
    const view = mine.find((e) => e.action === 'document.view')!;
    expect(view).toMatchObject({ entityId: docId, patientId, clientAddress: '127.0.0.1' });
    const login = mine.find((e) => e.action === 'auth.login' && e.outcome === 'success')!;
    expect(login).toMatchObject({ clientAddress: '10.8.8.8', userAgent: 'vitest' });
    const failed = mine.find((e) => e.outcome === 'failure')!;
    expect(failed.clientAddress).toBe('10.8.8.9');
    const deleted = await events(`&action=document.delete&entityId=${docId}`);
    expect(deleted).toHaveLength(1);
    expect(deleted[0]!.userId).toBe(w.a.users.admin.id);

    const byPatient = await events(`&patientId=${patientId}`);
    expect(byPatient.length).toBeGreaterThanOrEqual(5);
    expect(byPatient.every((e) => e.patientId === patientId)).toBe(true);
  });

  it('is for administrators only and offers no way to change entries', async () => {
    const clinician = await w.login(w.a.users.clinician.email);
    expect((await w.call(clinician, 'GET', '/api/v1/audit')).json().code).toBe('admin_only');
    const one = (await events())[0]!;
    for (const method of ['PATCH', 'PUT', 'DELETE'] as const) {
      expect((await w.call(admin, method, `/api/v1/audit/${one.id}`, {})).statusCode).toBe(404);
    }
  });

  it('verifies an intact chain', async () => {
    const res = await w.call(admin, 'GET', '/api/v1/audit/verify');
    expect(res.json()).toMatchObject({ ok: true, firstBroken: null });
    expect(res.json().checked).toBeGreaterThan(10);
  });

  it('names the row that was edited directly in the database', async () => {
    const victim = (await events('&action=document.view'))[0]!;
    await sql`update audit_events set user_id = ${w.a.users.billing.id} where id = ${victim.id}`.execute(
      w.database.db,
    );
    const res = await w.call(admin, 'GET', '/api/v1/audit/verify');
    expect(res.json().ok).toBe(false);
    expect(res.json().firstBroken).toMatchObject({ id: victim.id, seq: victim.seq });
    expect(res.json().firstBroken.reason).toContain('changed');
    // The other organization's chain is unaffected.
    const adminB = await w.login(w.b.users.admin.email);
    expect((await w.call(adminB, 'GET', '/api/v1/audit/verify')).json().ok).toBe(true);
  });

  it('notices a removed row', async () => {
    const adminB = await w.login(w.b.users.admin.email);
    await w.call(adminB, 'GET', `/api/v1/documents/${w.b.documents.photo}`);
    await w.call(adminB, 'GET', `/api/v1/documents/${w.b.documents.lab}`);
    const list = (await w.call(adminB, 'GET', '/api/v1/audit?action=document.view')).json()
      .items as Event[];
    const removed = list.find((e) => e.entityId === w.b.documents.photo)!;
    await sql`delete from audit_events where id = ${removed.id}`.execute(w.database.db);
    const res = (await w.call(adminB, 'GET', '/api/v1/audit/verify')).json();
    expect(res.ok).toBe(false);
    expect(res.firstBroken.seq).toBe(removed.seq + 1);
    expect(res.firstBroken.reason).toContain('missing');
  });
});
