// Annotations on a document: create, list, change and delete through the API, version checks
// (a stale edit answers 409 with the annotation as it is now), content checked per type,
// organization isolation, category policy, authorship, and an audit entry for each step.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/database.js';
import { createWorld, type World } from '../../support/world.js';

interface AnnotationBody {
  id: string;
  documentId: string;
  pageNumber: number;
  type: string;
  content: Record<string, unknown>;
  version: number;
  createdBy: string;
  createdByName: string;
}

const stroke = {
  type: 'freehand',
  pageNumber: 1,
  content: {
    points: [
      [0.1, 0.2],
      [0.15, 0.25],
      [0.2, 0.3],
    ],
    width: 0.005,
    color: '#d01010',
  },
};

describe.each(DIALECTS)('annotations (%s)', (dialect) => {
  let w: World;
  let admin: string;
  let clinician: string;
  let frontDesk: string;
  let billing: string;
  let betaClinician: string;
  let lab: string;

  beforeAll(async () => {
    w = await createWorld(dialect);
    admin = await w.login(w.a.users.admin.email);
    clinician = await w.login(w.a.users.clinician.email);
    billing = await w.login(w.a.users.billing.email);
    betaClinician = await w.login(w.b.users.clinician.email);
    frontDesk = await w.login(w.a.users['front-desk'].email);
    lab = w.a.documents.lab;
  });
  afterAll(() => w?.close());

  const create = async (token: string, documentId: string, body: unknown) => {
    const res = await w.call(token, 'POST', `/api/v1/documents/${documentId}/annotations`, body);
    return res;
  };
  const list = async (token: string, documentId: string): Promise<AnnotationBody[]> => {
    const res = await w.call(token, 'GET', `/api/v1/documents/${documentId}/annotations`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().items;
  };

  it('creates, lists, changes and deletes an annotation, raising its version each time', async () => {
    const made = await create(clinician, lab, stroke);
    expect(made.statusCode, made.body).toBe(201);
    const annotation = made.json<AnnotationBody>();
    expect(annotation).toMatchObject({
      documentId: lab,
      pageNumber: 1,
      type: 'freehand',
      content: stroke.content,
      version: 1,
      createdBy: w.a.users.clinician.id,
      createdByName: 'alpha clinician',
    });

    expect(await list(clinician, lab)).toEqual([annotation]);

    const moved = await w.call(clinician, 'PATCH', `/api/v1/annotations/${annotation.id}`, {
      version: 1,
      pageNumber: 2,
      content: { ...stroke.content, color: '#0000ff' },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({
      version: 2,
      pageNumber: 2,
      content: { color: '#0000ff' },
    });
    expect((await list(clinician, lab))[0]).toEqual(moved.json());

    const removed = await w.call(
      clinician,
      'DELETE',
      `/api/v1/annotations/${annotation.id}?version=2`,
    );
    expect(removed.statusCode, removed.body).toBe(204);
    expect(await list(clinician, lab)).toEqual([]);
    const again = await w.call(clinician, 'PATCH', `/api/v1/annotations/${annotation.id}`, {
      version: 3,
      content: stroke.content,
    });
    expect(again.statusCode).toBe(404);
  });

  it('keeps every type of annotation as it was sent', async () => {
    const doc = await w.addDocument(w.a, w.a.patients[0]!, { category: 'clinical-note' });
    const bodies = [
      {
        type: 'marker',
        pageNumber: 1,
        content: { x: 0.5, y: 0.5, label: 'Fracture', color: '#ff0000' },
      },
      { type: 'text', pageNumber: 3, content: { x: 0, y: 1, text: 'Recheck', color: '#000000' } },
      {
        type: 'highlight',
        pageNumber: 2,
        content: { x: 0.25, y: 0.5, width: 0.75, height: 0.5, color: '#ffff00' },
      },
    ];
    for (const body of bodies) expect((await create(clinician, doc.id, body)).statusCode).toBe(201);
    const items = await list(clinician, doc.id);
    expect(items.map((a) => [a.pageNumber, a.type, a.content])).toEqual(
      [bodies[0]!, bodies[2]!, bodies[1]!].map((b) => [b.pageNumber, b.type, b.content]),
    );
  });

  it('refuses content that does not fit its type or the page', async () => {
    const bad = [
      { ...stroke, type: 'marker' },
      { ...stroke, content: { ...stroke.content, points: [[1.2, 0.5]] } },
      {
        ...stroke,
        content: {
          ...stroke.content,
          points: Array.from({ length: 10_001 }, (_, i) => [i / 10_001, 0.5]),
        },
      },
      { ...stroke, content: { ...stroke.content, color: 'red' } },
      { ...stroke, pageNumber: 0 },
      {
        type: 'highlight',
        pageNumber: 1,
        content: { x: 0.5, y: 0.5, width: 0.6, height: 0.1, color: '#ffff00' },
      },
      { type: 'text', pageNumber: 1, content: { x: 0.5, y: 0.5, text: '   ', color: '#000000' } },
      { type: 'drawing', pageNumber: 1, content: stroke.content },
    ];
    for (const body of bad) {
      const res = await create(clinician, lab, body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 200)).toBe(400);
      expect(res.json().code).toBe('validation_failed');
    }

    const made = (await create(clinician, lab, stroke)).json<AnnotationBody>();
    const wrongType = await w.call(clinician, 'PATCH', `/api/v1/annotations/${made.id}`, {
      version: 1,
      content: { x: 0.1, y: 0.1, label: 'not a stroke', color: '#000000' },
    });
    expect(wrongType.statusCode, wrongType.body).toBe(400);
    expect(wrongType.json().detail).toContain('freehand');
  });

  it('accepts a stroke of 10,000 points', async () => {
    const points = Array.from({ length: 10_000 }, (_, i) => [i / 10_000, (i % 100) / 100]);
    const res = await create(clinician, lab, { ...stroke, content: { ...stroke.content, points } });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(201);
    expect(res.json().content.points).toHaveLength(10_000);
  });

  it('answers a stale version with 409 and the annotation as it is now', async () => {
    const made = (await create(clinician, lab, stroke)).json<AnnotationBody>();
    const first = await w.call(clinician, 'PATCH', `/api/v1/annotations/${made.id}`, {
      version: 1,
      content: { ...stroke.content, color: '#00ff00' },
    });
    expect(first.statusCode).toBe(200);

    const stale = await w.call(clinician, 'PATCH', `/api/v1/annotations/${made.id}`, {
      version: 1,
      content: { ...stroke.content, color: '#ff00ff' },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.headers['content-type']).toContain('application/problem+json');
    expect(stale.json()).toMatchObject({
      code: 'conflict',
      current: { id: made.id, version: 2, content: { color: '#00ff00' } },
    });

    const staleDelete = await w.call(
      clinician,
      'DELETE',
      `/api/v1/annotations/${made.id}?version=1`,
    );
    expect(staleDelete.statusCode).toBe(409);
    expect(staleDelete.json().current.version).toBe(2);
    expect((await list(clinician, lab)).find((a) => a.id === made.id)?.content.color).toBe(
      '#00ff00',
    );
  });

  it('lets exactly one of three simultaneous edits at the same version win', async () => {
    const made = (await create(clinician, lab, stroke)).json<AnnotationBody>();
    const edits = await Promise.all(
      ['#111111', '#222222', '#333333'].map((color) =>
        w.call(clinician, 'PATCH', `/api/v1/annotations/${made.id}`, {
          version: 1,
          content: { ...stroke.content, color },
        }),
      ),
    );
    expect(edits.map((r) => r.statusCode).sort()).toEqual([200, 409, 409]);
    const winner = edits.find((r) => r.statusCode === 200)!.json<AnnotationBody>();
    const now = (await list(clinician, lab)).find((a) => a.id === made.id)!;
    expect(now).toMatchObject({ version: 2, content: { color: winner.content.color } });
  });

  it("answers another organization's ids with 404, as if they did not exist", async () => {
    const made = (await create(clinician, lab, stroke)).json<AnnotationBody>();
    const attempts = [
      await w.call(betaClinician, 'GET', `/api/v1/documents/${lab}/annotations`),
      await create(betaClinician, lab, stroke),
      await w.call(betaClinician, 'PATCH', `/api/v1/annotations/${made.id}`, {
        version: 1,
        content: stroke.content,
      }),
      await w.call(betaClinician, 'DELETE', `/api/v1/annotations/${made.id}?version=1`),
    ];
    for (const res of attempts) {
      expect(res.statusCode, res.body).toBe(404);
      expect(res.json().code).toBe('not_found');
    }
    expect((await list(clinician, lab)).find((a) => a.id === made.id)?.version).toBe(1);
  });

  it('does not let billing annotate a lab report, but an insurance document', async () => {
    const lab403 = await create(billing, lab, stroke);
    expect(lab403.statusCode).toBe(403);
    expect(lab403.json().code).toBe('category_forbidden');
    expect((await w.call(billing, 'GET', `/api/v1/documents/${lab}/annotations`)).statusCode).toBe(
      403,
    );
    const insurance = await create(billing, w.a.documents.insurance, stroke);
    expect(insurance.statusCode, insurance.body).toBe(201);
  });

  it('makes one annotation from a create sent twice with its client id, and refuses the id for anything else', async () => {
    const id = randomUUID();
    const first = await create(clinician, lab, { ...stroke, id });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ id, version: 1 });
    const again = await create(clinician, lab, { ...stroke, id });
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect((await list(clinician, lab)).filter((a) => a.id === id)).toHaveLength(1);

    const otherAuthor = await create(admin, lab, { ...stroke, id });
    expect(otherAuthor.statusCode).toBe(409);
    expect(otherAuthor.json()).toMatchObject({ code: 'conflict' });
    const otherDocument = await create(clinician, w.a.documents.consent, { ...stroke, id });
    expect(otherDocument.statusCode).toBe(409);
    const otherOrganization = await w.call(
      betaClinician,
      'POST',
      `/api/v1/documents/${w.b.documents.lab}/annotations`,
      { ...stroke, id },
    );
    expect(otherOrganization.statusCode).toBe(409);
  });

  it("leaves an annotation to its author; an administrator may remove anyone's", async () => {
    const consent = w.a.documents.consent;
    const made = (await create(clinician, consent, stroke)).json<AnnotationBody>();
    const edit = await w.call(frontDesk, 'PATCH', `/api/v1/annotations/${made.id}`, {
      version: 1,
      content: stroke.content,
    });
    expect(edit.statusCode).toBe(403);
    expect(edit.json()).toMatchObject({ code: 'forbidden' });
    expect(edit.json().detail).toContain('alpha clinician');
    const removed = await w.call(admin, 'DELETE', `/api/v1/annotations/${made.id}?version=1`);
    expect(removed.statusCode).toBe(204);
  });

  it('takes no annotations on a deleted document and hides its list from non-administrators', async () => {
    const doc = await w.addDocument(w.a, w.a.patients[0]!, { category: 'lab' });
    const made = (await create(clinician, doc.id, stroke)).json<AnnotationBody>();
    expect((await w.call(admin, 'DELETE', `/api/v1/documents/${doc.id}`)).statusCode).toBe(204);
    expect(
      (await w.call(clinician, 'GET', `/api/v1/documents/${doc.id}/annotations`)).statusCode,
    ).toBe(404);
    expect((await list(admin, doc.id)).map((a) => a.id)).toEqual([made.id]);
    const late = await create(admin, doc.id, stroke);
    expect(late.statusCode).toBe(409);
    expect(late.json().detail).toContain('Restore');
  });

  it('audits every list, creation, change and deletion', async () => {
    const doc = await w.addDocument(w.a, w.a.patients[2]!, { category: 'imaging' });
    const made = (await create(clinician, doc.id, stroke)).json<AnnotationBody>();
    await list(clinician, doc.id);
    await w.call(clinician, 'PATCH', `/api/v1/annotations/${made.id}`, {
      version: 1,
      pageNumber: 4,
    });
    await w.call(clinician, 'DELETE', `/api/v1/annotations/${made.id}?version=2`);

    const res = await w.call(admin, 'GET', `/api/v1/audit?limit=100&patientId=${doc.patient_id}`);
    const events = res
      .json<{
        items: {
          action: string;
          userId: string;
          entityId: string;
          details: Record<string, unknown>;
        }[];
      }>()
      .items.filter((e) => e.action.startsWith('annotation.'))
      .reverse();
    expect(events.map((e) => [e.action, e.entityId])).toEqual([
      ['annotation.create', made.id],
      ['annotation.list', doc.id],
      ['annotation.update', made.id],
      ['annotation.delete', made.id],
    ]);
    expect(events.every((e) => e.userId === w.a.users.clinician.id)).toBe(true);
    expect(events[2]!.details).toMatchObject({ fromVersion: 1, changed: ['pageNumber'] });
  });

  it('publishes the routes in the OpenAPI document', async () => {
    const doc = (await w.call(null, 'GET', '/api/v1/openapi.json')).json<{
      paths: Record<string, Record<string, unknown>>;
    }>();
    expect(Object.keys(doc.paths['/api/v1/documents/{id}/annotations']!)).toEqual(
      expect.arrayContaining(['get', 'post']),
    );
    expect(Object.keys(doc.paths['/api/v1/annotations/{id}']!)).toEqual(
      expect.arrayContaining(['patch', 'delete']),
    );
  });
});
