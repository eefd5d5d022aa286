// Views made from the desktop's offline cache reach the audit log when the client is back:
// under the signed-in user, with the time of the view and the time the server heard of it,
// once per view however often the client retries, and never for a document the user may not read.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/database.js';
import { createWorld, type World } from '../../support/world.js';

interface Event {
  action: string;
  userId: string | null;
  entityId: string | null;
  patientId: string | null;
  occurredAt: string;
  details: { viewId?: string; viewedAt?: string; offline?: boolean } | null;
}

describe.each(DIALECTS)('offline views (%s)', (dialect) => {
  let w: World;
  let admin: string;
  let clinician: string;
  beforeAll(async () => {
    w = await createWorld(dialect);
    admin = await w.login(w.a.users.admin.email);
    clinician = await w.login(w.a.users.clinician.email);
  });
  afterAll(() => w?.close());

  const offlineViews = async (): Promise<Event[]> => {
    const res = await w.call(admin, 'GET', '/api/v1/audit?limit=100&action=document.view_offline');
    expect(res.statusCode, res.body).toBe(200);
    return res.json().items;
  };

  it('records each view with its original time, under the user, once across retries', async () => {
    const lab = w.a.documents.lab;
    const imaging = w.a.documents.imaging;
    const views = [
      { id: randomUUID(), documentId: lab, viewedAt: '2026-11-20T08:15:00.000Z' },
      { id: randomUUID(), documentId: imaging, viewedAt: '2026-11-20T08:16:30.000Z' },
      { id: randomUUID(), documentId: lab, viewedAt: '2026-11-21T17:02:00.000Z' },
    ];
    const first = await w.call(clinician, 'POST', '/api/v1/audit/offline-views', { views });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ recorded: 3, duplicates: 0, refused: [] });

    // The answer was lost; the client sends the same views again, plus one new.
    const more = { id: randomUUID(), documentId: imaging, viewedAt: '2026-11-22T09:00:00.000Z' };
    const retry = await w.call(clinician, 'POST', '/api/v1/audit/offline-views', {
      views: [...views, more],
    });
    expect(retry.json()).toEqual({ recorded: 1, duplicates: 3, refused: [] });

    const events = await offlineViews();
    expect(events).toHaveLength(4);
    const byView = new Map(events.map((e) => [e.details?.viewId, e]));
    for (const view of [...views, more]) {
      const event = byView.get(view.id)!;
      expect(event).toMatchObject({
        userId: w.a.users.clinician.id,
        entityId: view.documentId,
        patientId: w.a.patients[0],
        details: { viewedAt: view.viewedAt, offline: true },
      });
      // occurred_at is when the server heard of it: after the view itself.
      expect(Date.parse(event.occurredAt)).toBeGreaterThan(Date.parse(view.viewedAt));
    }
    const verify = await w.call(admin, 'GET', '/api/v1/audit/verify');
    expect(verify.json()).toMatchObject({ ok: true });
  });

  it('refuses views of documents the user may not read, and records the rest', async () => {
    const betaClinician = await w.login(w.b.users.clinician.email);
    const own = {
      id: randomUUID(),
      documentId: w.b.documents.lab,
      viewedAt: '2026-11-23T10:00:00.000Z',
    };
    const foreign = {
      id: randomUUID(),
      documentId: w.a.documents.lab,
      viewedAt: '2026-11-23T10:01:00.000Z',
    };
    const res = await w.call(betaClinician, 'POST', '/api/v1/audit/offline-views', {
      views: [own, foreign],
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ recorded: 1, duplicates: 0 });
    expect(body.refused).toEqual([
      {
        id: foreign.id,
        documentId: foreign.documentId,
        reason: expect.stringMatching(/not found/i),
      },
    ]);
    // Nothing about alpha's document in alpha's log from beta's user.
    expect((await offlineViews()).some((e) => e.details?.viewId === foreign.id)).toBe(false);
  });

  it('asks for a sign-in and checks the shape of what it is sent', async () => {
    const view = {
      id: randomUUID(),
      documentId: w.a.documents.lab,
      viewedAt: '2026-11-23T10:00:00Z',
    };
    const anonymous = await w.call(null, 'POST', '/api/v1/audit/offline-views', { views: [view] });
    expect(anonymous.statusCode).toBe(401);
    const bad = await w.call(clinician, 'POST', '/api/v1/audit/offline-views', {
      views: [{ ...view, viewedAt: 'yesterday' }],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'validation_failed' });
  });
});
