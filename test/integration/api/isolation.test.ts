// Another organization's ids must answer exactly like ids that do not exist, on every route.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/database.js';
import { createWorld, type World } from '../../support/world.js';

describe.each(DIALECTS)('organization isolation (%s)', (dialect) => {
  let w: World;
  let adminA: string;
  beforeAll(async () => {
    w = await createWorld(dialect);
    adminA = await w.login(w.a.users.admin.email);
  });
  afterAll(() => w?.close());

  const routes = (patientId: string, documentId: string): [string, string, unknown?][] => [
    ['GET', `/api/v1/patients/${patientId}`],
    ['GET', `/api/v1/patients/${patientId}/encounters`],
    ['GET', `/api/v1/documents?patientId=${patientId}`],
    ['GET', `/api/v1/documents/${documentId}`],
    ['PATCH', `/api/v1/documents/${documentId}`, { title: 'taken over' }],
    ['DELETE', `/api/v1/documents/${documentId}`],
    ['POST', `/api/v1/documents/${documentId}/restore`],
  ];

  it("answers 404 for another organization's patient and document ids, like unknown ids", async () => {
    const foreign = routes(w.b.patients[0]!, w.b.documents.lab);
    const unknown = routes(randomUUID(), randomUUID());
    for (const [i, [method, url, body]] of foreign.entries()) {
      const res = await w.call(adminA, method as 'GET', url, body);
      const [, unknownUrl, unknownBody] = unknown[i]!;
      const ref = await w.call(adminA, method as 'GET', unknownUrl, unknownBody);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().code).toBe('not_found');
      const { instance: _a, ...shown } = res.json();
      const { instance: _b, ...expected } = ref.json();
      expect(shown, `${method} ${url}`).toEqual(expected);
    }
  });

  it("leaves the other organization's data untouched and out of every list", async () => {
    const doc = await w.call(adminA, 'GET', '/api/v1/documents?limit=100');
    const ids = doc.json().items.map((d: { id: string }) => d.id);
    expect(ids).toContain(w.a.documents.lab);
    expect(ids).not.toContain(w.b.documents.lab);
    const patients = await w.call(adminA, 'GET', '/api/v1/patients?limit=100');
    const patientIds = patients.json().items.map((p: { id: string }) => p.id);
    expect(patientIds.sort()).toEqual([...w.a.patients].sort());
    const byEncounter = await w.call(
      adminA,
      'GET',
      `/api/v1/documents?encounterId=${w.b.encounters[w.b.patients[0]!]![0]}`,
    );
    expect(byEncounter.json().items).toEqual([]);

    const adminB = await w.login(w.b.users.admin.email);
    const stillThere = await w.call(adminB, 'GET', `/api/v1/documents/${w.b.documents.lab}`);
    expect(stillThere.statusCode).toBe(200);
    expect(stillThere.json()).toMatchObject({ title: 'lab report', deletedAt: null });
  });

  it("ignores an organization named in the request: the token's organization decides", async () => {
    const res = await w.call(adminA, 'GET', `/api/v1/documents?organizationId=${w.b.id}`);
    expect(res.statusCode).toBe(400);
    const audit = await w.call(adminA, 'GET', `/api/v1/audit?patientId=${w.b.patients[0]}`);
    expect(audit.json().items).toEqual([]);
  });
});
