// Malformed input gets a 400 problem+json that says what is wrong, and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/database.js';
import { createWorld, type World } from '../../support/world.js';

describe.each(DIALECTS)('input validation (%s)', (dialect) => {
  let w: World;
  let token: string;
  beforeAll(async () => {
    w = await createWorld(dialect);
    token = await w.login(w.a.users.admin.email);
  });
  afterAll(() => w?.close());

  const cases: [string, string, string, unknown, string][] = [
    ['id that is not a UUID', 'GET', '/api/v1/documents/../../etc', undefined, ''],
    ['id that is not a UUID', 'GET', '/api/v1/patients/12345', undefined, 'id'],
    ['unknown query parameter', 'GET', '/api/v1/documents?sort=name', undefined, 'sort'],
    ['page size out of bounds', 'GET', '/api/v1/documents?limit=5000', undefined, 'limit'],
    ['unknown category', 'GET', '/api/v1/documents?category=xray', undefined, 'category'],
    ['date that is not a date', 'GET', '/api/v1/documents?from=yesterday', undefined, 'from'],
    [
      'date range backwards',
      'GET',
      '/api/v1/documents?from=2026-05-01&to=2026-01-01',
      undefined,
      'from',
    ],
    ['tampered cursor', 'GET', '/api/v1/documents?cursor=bm90LWEtY3Vyc29y', undefined, 'cursor'],
    ['over-long search', 'GET', `/api/v1/patients?q=${'x'.repeat(101)}`, undefined, 'q'],
    ['unknown body field', 'PATCH', '/api/v1/documents/:doc', { title: 'x', owner: 'me' }, 'owner'],
    ['empty change', 'PATCH', '/api/v1/documents/:doc', {}, 'Nothing to change'],
    ['title too long', 'PATCH', '/api/v1/documents/:doc', { title: 'x'.repeat(201) }, 'title'],
    ['login without password', 'POST', '/api/v1/auth/login', { email: 'a@b.test' }, 'password'],
  ];

  it.each(cases)('rejects %s', async (_name, method, url, body, mentions) => {
    const res = await w.call(
      token,
      method as 'GET',
      url.replace(':doc', w.a.documents.other),
      body,
    );
    expect(res.statusCode, res.body).toBe(url.includes('..') ? 404 : 400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const problem = res.json();
    expect(problem.code).toBe(url.includes('..') ? 'not_found' : 'validation_failed');
    expect(problem.detail).toContain(mentions);
  });

  it('rejects a body that is not JSON', async () => {
    const res = await w.app.inject({
      method: 'PATCH',
      url: `/api/v1/documents/${w.a.documents.other}`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: '{"title": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('validation_failed');
    const doc = await w.call(token, 'GET', `/api/v1/documents/${w.a.documents.other}`);
    expect(doc.json().title).toBe('other report');
  });
});
