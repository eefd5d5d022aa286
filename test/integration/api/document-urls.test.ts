// Signed thumbnail URLs for a page of the gallery in one request: each URL fetches the
// thumbnail's bytes; documents the caller may not see (another organization, an unreadable
// category, a patient off the care team, deleted) answer null; one audit entry per request.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentRow } from '../../../src/server/repositories/documents.js';
import { PatientRepository } from '../../../src/server/repositories/patients.js';
import { UserRepository } from '../../../src/server/repositories/users.js';
import { BACKENDS, createBackendWorld } from '../../support/backends.js';
import type { TestOrg, World } from '../../support/world.js';

interface Answer {
  urls: Record<string, string | null>;
  expiresAt: string;
}

describe.each(BACKENDS)('thumbnail URLs ($name)', (backend) => {
  let w: World;
  let clinician: string;
  let billing: string;
  let admin: string;
  const thumbs = new Map<string, Buffer>();
  const gallery: DocumentRow[] = [];

  /** A document whose thumbnail is really stored, as thumbnailing leaves it. */
  const withThumbnail = async (
    org: TestOrg,
    patientId: string,
    over: Partial<DocumentRow> = {},
  ) => {
    const row = await w.addDocument(org, patientId, over);
    const key = row.storage_key.replace(/\.pdf$/, '_thumb.jpg');
    const bytes = randomBytes(2_000);
    await w.storage.putObject(key, bytes, { contentType: 'image/jpeg', size: bytes.length });
    await w.database.db
      .updateTable('document_references')
      .set({ thumbnail_key: key, thumbnail_status: 'ready' })
      .where('id', '=', row.id)
      .execute();
    thumbs.set(row.id, bytes);
    return row;
  };

  const ask = async (token: string, ids: string[]) => {
    const res = await w.call(token, 'POST', '/api/v1/documents/thumbnail-urls', { ids });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Answer>();
  };

  beforeAll(async () => {
    w = await createBackendWorld(backend);
    clinician = await w.login(w.a.users.clinician.email);
    billing = await w.login(w.a.users.billing.email);
    admin = await w.login(w.a.users.admin.email);
    for (let i = 0; i < 12; i++) {
      gallery.push(
        await withThumbnail(w.a, w.a.patients[1]!, {
          category: i % 2 ? 'lab' : 'insurance',
        }),
      );
    }
  }, 60_000);
  afterAll(() => w?.close());

  it('signs a URL per document that fetches its thumbnail', async () => {
    const before = Date.now();
    const answer = await ask(
      clinician,
      gallery.map((d) => d.id),
    );
    expect(Object.keys(answer.urls).sort()).toEqual(gallery.map((d) => d.id).sort());
    for (const doc of gallery) {
      const url = answer.urls[doc.id];
      expect(url, doc.id).toEqual(expect.any(String));
      const res = await fetch(url!);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      expect(Buffer.from(await res.arrayBuffer()).equals(thumbs.get(doc.id)!)).toBe(true);
    }
    const expires = Date.parse(answer.expiresAt);
    expect(expires).toBeGreaterThan(before + 10 * 60_000);
  });

  it("answers null for no thumbnail, unreadable categories, other organizations' and deleted documents", async () => {
    const plain = await w.addDocument(w.a, w.a.patients[1]!, { category: 'insurance' });
    const foreign = await withThumbnail(w.b, w.b.patients[0]!);
    const deleted = await withThumbnail(w.a, w.a.patients[1]!, {
      category: 'insurance',
      deleted_at: new Date().toISOString(),
    });
    const ids = [...gallery.map((d) => d.id), plain.id, foreign.id, deleted.id];

    const forBilling = await ask(billing, ids);
    for (const doc of gallery) {
      expect(forBilling.urls[doc.id] === null, doc.category).toBe(doc.category === 'lab');
    }
    expect(forBilling.urls[plain.id]).toBeNull();
    expect(forBilling.urls[foreign.id]).toBeNull();
    expect(forBilling.urls[deleted.id]).toBeNull();

    // Administrators see deleted documents, as they do through documents/:id/urls.
    const forAdmin = await ask(admin, [deleted.id, foreign.id]);
    expect(forAdmin.urls[deleted.id]).toEqual(expect.any(String));
    expect(forAdmin.urls[foreign.id]).toBeNull();
  });

  it('with the patient ACL on, signs only for patients on the care team', async () => {
    const users = new UserRepository(w.database.db);
    const other = await withThumbnail(w.a, w.a.patients[2]!, { category: 'lab' });
    await users.setAclEnabled(w.a.id, true);
    try {
      const ids = [gallery[1]!.id, other.id];
      expect((await ask(clinician, ids)).urls).toEqual({ [ids[0]!]: null, [ids[1]!]: null });
      await new PatientRepository(w.database.db).grantAccess({
        organization_id: w.a.id,
        patient_id: w.a.patients[1]!,
        user_id: w.a.users.clinician.id,
        granted_by: w.a.users.admin.id,
        granted_at: new Date().toISOString(),
      });
      const granted = await ask(clinician, ids);
      expect(granted.urls[ids[0]!]).toEqual(expect.any(String));
      expect(granted.urls[ids[1]!]).toBeNull();
    } finally {
      await users.setAclEnabled(w.a.id, false);
    }
  });

  it('audits each request once, naming the documents it signed for', async () => {
    const ids = gallery.slice(0, 5).map((d) => d.id);
    await ask(clinician, ids);
    const res = await w.call(
      admin,
      'GET',
      `/api/v1/audit?limit=5&action=document.thumbnail_urls&userId=${w.a.users.clinician.id}`,
    );
    const [latest] = res.json<{
      items: { patientId: string; details: Record<string, unknown> }[];
    }>().items;
    expect(latest!.patientId).toBe(w.a.patients[1]);
    expect(latest!.details).toMatchObject({ requested: 5 });
    expect((latest!.details.documentIds as string[]).sort()).toEqual([...ids].sort());
  });

  it('refuses more than 200 ids, or none', async () => {
    const many = Array.from({ length: 201 }, () => gallery[0]!.id);
    for (const ids of [many, []]) {
      const res = await w.call(clinician, 'POST', '/api/v1/documents/thumbnail-urls', { ids });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('validation_failed');
    }
  });
});
