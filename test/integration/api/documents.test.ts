// Listing (filters, order, cursor pagination), editing, soft deletion and restore.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/database.js';
import { createWorld, type World } from '../../support/world.js';

interface Doc {
  id: string;
  title: string;
  category: string;
  documentDate: string;
  deletedAt: string | null;
}

// SQLite also with a reader thread, which runs the list as the server does on a multi-core
// machine (src/server/db/read-pool.ts).
const SETUPS = [
  ...DIALECTS.map((dialect) => ({ dialect, readThreads: 0, name: dialect })),
  { dialect: 'sqlite' as const, readThreads: 1, name: 'sqlite, reader thread' },
];

describe.each(SETUPS)('documents ($name)', ({ dialect, readThreads }) => {
  let w: World;
  let admin: string;
  let clinician: string;
  let patientId: string;
  const made: Doc[] = [];

  beforeAll(async () => {
    w = await createWorld(dialect, { readThreads });
    admin = await w.login(w.a.users.admin.email);
    clinician = await w.login(w.a.users.clinician.email);
    patientId = w.a.patients[1]!;
    const encounterId = w.a.encounters[patientId]![0]!;
    for (let i = 0; i < 23; i++) {
      w.time.advance(60_000);
      const row = await w.addDocument(w.a, patientId, {
        title: `page ${i}`,
        category: i % 3 === 0 ? 'lab' : 'referral',
        document_date: `2026-0${1 + (i % 9)}-15`,
        encounter_id: i < 5 ? encounterId : null,
      });
      made.push({
        id: row.id,
        title: row.title,
        category: row.category,
        documentDate: row.document_date,
        deletedAt: null,
      });
    }
  });
  afterAll(() => w?.close());

  const listAll = async (query: string): Promise<Doc[]> => {
    const items: Doc[] = [];
    let cursor: string | null = null;
    do {
      const res = await w.call(
        clinician,
        'GET',
        `/api/v1/documents?${query}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.statusCode, res.body).toBe(200);
      items.push(...res.json().items);
      cursor = res.json().nextCursor;
    } while (cursor);
    return items;
  };

  it("pages through a patient's documents newest first, each exactly once", async () => {
    const items = await listAll(`patientId=${patientId}&limit=4`);
    expect(items.map((d) => d.id).sort()).toEqual(made.map((d) => d.id).sort());
    const keys = items.map((d) => d.documentDate);
    expect(keys).toEqual([...keys].sort().reverse());
  });

  it('filters by category, encounter and document date range', async () => {
    const labs = await listAll(`patientId=${patientId}&category=lab&limit=3`);
    expect(labs.map((d) => d.id).sort()).toEqual(
      made
        .filter((d) => d.category === 'lab')
        .map((d) => d.id)
        .sort(),
    );

    const encounterId = w.a.encounters[patientId]![0]!;
    const byEncounter = await listAll(`encounterId=${encounterId}`);
    expect(byEncounter.map((d) => d.id).sort()).toEqual(
      made
        .slice(0, 5)
        .map((d) => d.id)
        .sort(),
    );

    const ranged = await listAll(`patientId=${patientId}&from=2026-03-01&to=2026-05-31&limit=2`);
    const expected = made.filter(
      (d) => d.documentDate >= '2026-03-01' && d.documentDate <= '2026-05-31',
    );
    expect(ranged.map((d) => d.id).sort()).toEqual(expected.map((d) => d.id).sort());
    expect(ranged.length).toBeGreaterThan(0);
  });

  it('finds documents whose titles hold every word searched, in any case, wildcards taken literally', async () => {
    const other = w.a.patients[0]!;
    const titles = ['Lipid Panel March', 'lipid panel april', 'Chest X-ray', '100% done_ok'];
    const byTitle = new Map<string, string>();
    for (const title of titles) {
      byTitle.set(title, (await w.addDocument(w.a, other, { title, category: 'lab' })).id);
    }
    const search = async (q: string) =>
      (await listAll(`patientId=${other}&limit=1&q=${encodeURIComponent(q)}`))
        .map((d) => d.title)
        .sort();

    expect(await search('LIPID')).toEqual(['Lipid Panel March', 'lipid panel april']);
    expect(await search('panel  march')).toEqual(['Lipid Panel March']);
    expect(await search('x-ray chest')).toEqual(['Chest X-ray']);
    expect(await search('%')).toEqual(['100% done_ok']);
    expect(await search('l_p')).toEqual([]);
    expect(await search('done_ok')).toEqual(['100% done_ok']);
    expect(await search('echo')).toEqual([]);

    const tooMany = await w.call(
      clinician,
      'GET',
      `/api/v1/documents?patientId=${other}&q=${encodeURIComponent('a b c d e f g h i')}`,
    );
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.body).toContain('at most 8 words');
  });

  it('lists each document exactly as reading it alone shows it, whatever its text holds', async () => {
    const other = w.a.patients[2]!;
    const tricky = [
      await w.addDocument(w.a, other, {
        title: 'He said "stop" \\ C:\\scans\n\tnext line \u0001 </script> — Zoë 🩺',
        file_name: 'ü "name".pdf',
        encounter_id: w.a.encounters[other]![0]!,
        thumbnail_url: 'local:///thumb "x".jpg',
        thumbnail_status: 'ready',
        file_size: 5 * 1024 ** 4,
        category: 'lab',
      }),
      await w.addDocument(w.a, other, { title: "d'Artagnan", file_size: 0 }),
    ];
    const deleted = await w.addDocument(w.a, other, {
      deleted_at: w.time.clock().toISOString(),
      deleted_by: w.a.users.admin.id,
    });

    const list = await w.call(admin, 'GET', `/api/v1/documents?patientId=${other}`);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.headers['content-type']).toBe('application/json; charset=utf-8');
    const items = list.json().items as { id: string }[];
    expect(items.map((d) => d.id).sort()).toEqual(tricky.map((d) => d.id).sort());
    for (const item of items) {
      const alone = await w.call(admin, 'GET', `/api/v1/documents/${item.id}`);
      expect(item).toEqual(alone.json());
    }

    const deletedList = await w.call(
      admin,
      'GET',
      `/api/v1/documents?patientId=${other}&status=deleted`,
    );
    const alone = await w.call(admin, 'GET', `/api/v1/documents/${deleted.id}`);
    expect(deletedList.json()).toEqual({ items: [alone.json()], nextCursor: null });
  });

  it('edits title, category, encounter and document date', async () => {
    const target = made[7]!;
    const encounterId = w.a.encounters[patientId]![1]!;
    const res = await w.call(clinician, 'PATCH', `/api/v1/documents/${target.id}`, {
      title: 'Chest X-ray report',
      category: 'imaging',
      encounterId,
      documentDate: '2025-12-31',
    });
    expect(res.statusCode, res.body).toBe(200);
    const again = (await w.call(clinician, 'GET', `/api/v1/documents/${target.id}`)).json();
    expect(again).toMatchObject({
      title: 'Chest X-ray report',
      category: 'imaging',
      encounterId,
      documentDate: '2025-12-31',
    });

    const foreignEncounter = w.a.encounters[w.a.patients[2]!]![0];
    const bad = await w.call(clinician, 'PATCH', `/api/v1/documents/${target.id}`, {
      encounterId: foreignEncounter,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toContain('encounterId');
  });

  it('soft-deletes for administrators only: gone from lists, readable by admins, restorable', async () => {
    const target = made[3]!;
    const denied = await w.call(clinician, 'DELETE', `/api/v1/documents/${target.id}`);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().code).toBe('admin_only');

    expect((await w.call(admin, 'DELETE', `/api/v1/documents/${target.id}`)).statusCode).toBe(204);
    const list = await listAll(`patientId=${patientId}`);
    expect(list.map((d) => d.id)).not.toContain(target.id);
    expect((await w.call(clinician, 'GET', `/api/v1/documents/${target.id}`)).statusCode).toBe(404);

    const asAdmin = await w.call(admin, 'GET', `/api/v1/documents/${target.id}`);
    expect(asAdmin.statusCode).toBe(200);
    expect(asAdmin.json().deletedAt).not.toBeNull();
    expect(asAdmin.json().deletedBy).toBe(w.a.users.admin.id);
    const deletedList = await w.call(
      admin,
      'GET',
      `/api/v1/documents?patientId=${patientId}&status=deleted`,
    );
    expect(deletedList.json().items.map((d: Doc) => d.id)).toEqual([target.id]);
    expect((await w.call(clinician, 'GET', `/api/v1/documents?status=deleted`)).statusCode).toBe(
      403,
    );

    // The row (and so the file it points to) is kept.
    const row = await w.database.db
      .selectFrom('document_references')
      .select(['url', 'deleted_at'])
      .where('id', '=', target.id)
      .executeTakeFirst();
    expect(row?.url).toContain(target.id);

    expect(
      (await w.call(clinician, 'POST', `/api/v1/documents/${target.id}/restore`)).statusCode,
    ).toBe(403);
    const restored = await w.call(admin, 'POST', `/api/v1/documents/${target.id}/restore`);
    expect(restored.statusCode).toBe(200);
    expect(restored.json().deletedAt).toBeNull();
    expect((await listAll(`patientId=${patientId}`)).map((d) => d.id)).toContain(target.id);
    expect(
      (await w.call(admin, 'POST', `/api/v1/documents/${target.id}/restore`)).json().code,
    ).toBe('conflict');
  });
});
