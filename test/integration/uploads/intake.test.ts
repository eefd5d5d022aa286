// Whole-file intake for server-side sources, activity events, profile images, upload expiry,
// a storage session that vanished, and the orphan check — on local storage and on S3.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  BatchResult,
  DocumentReference,
  ProfileImage,
  UploadState,
} from '../../../src/shared/api/schemas.js';
import type { Problem } from '../../../src/shared/errors.js';
import { findOrphans } from '../../../src/server/services/orphans.js';
import { BACKENDS, createBackendWorld } from '../../support/backends.js';
import { jpeg, pdf, sha256 } from '../../support/files.js';
import { TestUploader } from '../../support/uploader.js';
import type { World } from '../../support/world.js';

const form = (fields: Record<string, string>, files: [string, Uint8Array, string][]) => {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  for (const [name, bytes, type] of files) body.append('file', new Blob([bytes], { type }), name);
  return body;
};

describe.each(BACKENDS)('intake, events, profiles and clean-up ($name)', (backend) => {
  let w: World;
  let token: string;
  let admin: string;
  let patientId: string;
  beforeAll(async () => {
    w = await createBackendWorld(backend);
    token = await w.login(w.a.users.clinician.email);
    admin = await w.login(w.a.users.admin.email);
    patientId = w.a.patients[1]!;
  });
  afterAll(() => w?.close());

  const post = (path: string, body: FormData, bearer = token) =>
    fetch(`${w.url()}/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}` },
      body,
    });
  const storedKeys = async () => {
    const keys: string[] = [];
    for await (const o of w.storage.listObjects()) keys.push(o.key);
    return keys;
  };

  it('takes a whole file from a server-side source through the same checks', async () => {
    const bytes = await pdf(2, 'Faxed lab report');
    const res = await post(
      '/documents',
      form({ patientId, category: 'lab', source: 'fax', title: 'Faxed CBC' }, [
        ['fax-0412.pdf', bytes, 'application/pdf'],
      ]),
    );
    expect(res.status).toBe(201);
    const doc = (await res.json()) as DocumentReference;
    expect(doc).toMatchObject({
      title: 'Faxed CBC',
      source: 'fax',
      category: 'lab',
      sha256: sha256(bytes),
      thumbnailStatus: 'ready',
    });
    expect(doc.url).toContain(`${w.a.id}/${patientId}/documents/`);

    const empty = await post(
      '/documents',
      form({ patientId, category: 'lab' }, [['blank.pdf', new Uint8Array(0), 'application/pdf']]),
    );
    expect(empty.status).toBe(422);
    expect(((await empty.json()) as Problem).detail).toMatch(/blank\.pdf: .*empty/i);
  });

  it('saves a bulk upload whole, or not at all when one file fails', async () => {
    const pages: [string, Uint8Array, string][] = [
      ['p1.jpg', await jpeg(500, 700), 'image/jpeg'],
      ['p2.jpg', await jpeg(500, 700), 'image/jpeg'],
    ];
    const ok = await post(
      '/documents/bulk',
      form({ patientId, category: 'referral', source: 'portal' }, pages),
    );
    expect(ok.status).toBe(201);
    const result = (await ok.json()) as BatchResult;
    expect(result).toMatchObject({ status: 'committed', succeeded: 2, failed: 0 });

    const before = await storedKeys();
    const bad = await post(
      '/documents/bulk',
      form({ patientId, category: 'referral', source: 'portal' }, [
        ...pages,
        ['notes.pdf', await jpeg(), 'application/pdf'],
      ]),
    );
    expect(bad.status).toBe(422);
    const failed = (await bad.json()) as BatchResult;
    expect(failed).toMatchObject({ status: 'failed', succeeded: 0, failed: 3 });
    expect(failed.files[2]!.reason).toMatch(/notes\.pdf: .*JPEG/);
    expect(failed.files[0]!.reason).toMatch(/together or not at all/);
    expect(await storedKeys()).toEqual(before);
  });

  it('publishes document events in order for other domains', async () => {
    const head = (await w.call(admin, 'GET', '/api/v1/events?limit=100')).json();
    const last = head.items.at(-1)?.seq ?? 0;
    const res = await post(
      '/documents',
      form({ patientId, category: 'photo' }, [['wound.jpg', await jpeg(), 'image/jpeg']]),
    );
    const doc = (await res.json()) as DocumentReference;
    await w.call(token, 'PATCH', `/api/v1/documents/${doc.id}`, { title: 'Wound, day 3' });
    await w.call(admin, 'DELETE', `/api/v1/documents/${doc.id}`);
    const after = (await w.call(admin, 'GET', `/api/v1/events?after=${last}`)).json().items;
    expect(after.map((e: { type: string }) => e.type)).toEqual([
      'document.created',
      'document.updated',
      'document.deleted',
    ]);
    expect(after.every((e: { entityId: string }) => e.entityId === doc.id)).toBe(true);
    expect(after.map((e: { seq: number }) => e.seq)).toEqual([last + 1, last + 2, last + 3]);
    expect((await w.call(token, 'GET', '/api/v1/events')).statusCode).toBe(403);
  });

  it('resizes profile images, serves them by signed URL, and removes the old ones on replace', async () => {
    const put = (bytes: Uint8Array) =>
      fetch(`${w.url()}/api/v1/profiles/patient/${patientId}/image`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg' },
        body: bytes,
      });
    const first = await put(await jpeg(1600, 1200));
    expect(first.status).toBe(200);
    const urls = (await first.json()) as ProfileImage;
    const image = await fetch(urls.url);
    expect(image.status).toBe(200);
    const { default: sharp } = await import('sharp');
    expect(await sharp(Buffer.from(await image.arrayBuffer())).metadata()).toMatchObject({
      width: 512,
      height: 512,
    });
    const avatar = await fetch(urls.avatarUrl);
    expect(await sharp(Buffer.from(await avatar.arrayBuffer())).metadata()).toMatchObject({
      width: 96,
      height: 96,
    });
    const profileKeys = async () =>
      (await storedKeys()).filter((k) => k.includes(`/profiles/patient/${patientId}/`));
    expect(await profileKeys()).toHaveLength(2);

    expect((await put(await jpeg(900, 900))).status).toBe(200);
    const keys = await profileKeys();
    expect(keys).toHaveLength(2);
    expect(
      keys.some(
        (k) =>
          urls.url.includes(encodeURIComponent(k).replaceAll('%2F', '/')) || urls.url.includes(k),
      ),
    ).toBe(false);

    const got = await w.call(token, 'GET', `/api/v1/profiles/patient/${patientId}/image`);
    expect(got.statusCode).toBe(200);
    const notAnImage = await fetch(`${w.url()}/api/v1/profiles/patient/${patientId}/image`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png' },
      body: await pdf(1),
    });
    expect(notAnImage.status).toBe(422);
    const other = await w.login(w.b.users.admin.email);
    expect(
      (await w.call(other, 'GET', `/api/v1/profiles/patient/${patientId}/image`)).statusCode,
    ).toBe(404);
  });

  // s3rver answers an upload id it does not know with InternalError (500), not S3's
  // NoSuchUpload, so the dropped-session path can only be shown on the local backend here.
  it.skipIf(backend.storage === 's3')(
    'starts the parts again when storage dropped the upload session',
    async () => {
      const up = new TestUploader(w, token);
      const bytes = await jpeg(700, 500);
      const state: UploadState = (
        await up.start(bytes, { patientId, fileName: 'late.jpg', contentType: 'image/jpeg' })
      ).json();
      const sent = await up.sendParts(state, bytes, [1]);
      const row = await w.database.db
        .selectFrom('uploads')
        .selectAll()
        .where('id', '=', state.id)
        .executeTakeFirstOrThrow();
      // The provider ends the unfinished upload (R2 does after 7 days).
      await w.storage.abortMultipartUpload(row.storage_key, row.storage_upload_id);
      const refused = await up.complete(state.id, sent);
      expect(refused.statusCode, refused.body).toBe(409);
      expect(refused.json().detail).toMatch(/Send all parts again/);
      const fresh = await up.state(state.id);
      expect(fresh.status).toBe('pending');
      if (fresh.parts !== null) expect(fresh.parts).toEqual([]);
      const done = await up.complete(state.id, await up.sendParts(fresh, bytes, [1]));
      expect(done.statusCode, done.body).toBe(200);
      expect((await w.call(token, 'GET', `/api/v1/documents/${state.id}`)).json().sha256).toBe(
        sha256(bytes),
      );
    },
  );

  it('ends uploads left unfinished for seven days and removes their parts', async () => {
    const up = new TestUploader(w, token);
    const bytes = await jpeg();
    const state: UploadState = (
      await up.start(bytes, { patientId, fileName: 'forgotten.jpg', contentType: 'image/jpeg' })
    ).json();
    await up.sendParts(state, bytes, [1]);
    w.time.advance(8 * 24 * 3600_000);
    try {
      expect(await w.services.uploads.expireStale()).toBeGreaterThanOrEqual(1);
      const later = new TestUploader(w, await w.login(w.a.users.clinician.email));
      expect((await later.state(state.id)).status).toBe('expired');
      const parts = [];
      for await (const o of w.storage.listObjects()) if (o.key.includes(state.id)) parts.push(o);
      expect(parts).toEqual([]);
      const sign = await w.call(
        await w.login(w.a.users.clinician.email),
        'POST',
        `/api/v1/uploads/${state.id}/parts/sign`,
        {
          partNumbers: [1],
        },
      );
      expect(sign.statusCode).toBe(410);
    } finally {
      w.time.advance(-8 * 24 * 3600_000);
    }
  });

  it('finds stored objects nothing refers to, and deletes them only when asked', async () => {
    const orphanKey = `${w.a.id}/${patientId}/documents/2026/11/${randomUUID()}.pdf`;
    await w.storage.putObject(orphanKey, Buffer.from('%PDF-1.4 leftover'), {
      contentType: 'application/pdf',
    });
    const look = { olderThanMs: 0, clock: () => new Date(Date.now() + 1000) };
    const listed = await findOrphans(w.database, w.storage, { ...look, remove: false });
    expect(listed.orphans.map((o) => o.key)).toEqual([orphanKey]);
    const young = await findOrphans(w.database, w.storage, {
      ...look,
      olderThanMs: 3600_000,
      remove: false,
    });
    expect(young.orphans).toEqual([]);
    const removed = await findOrphans(w.database, w.storage, { ...look, remove: true });
    expect(removed.deleted).toBe(1);
    expect(await w.storage.headObject(orphanKey)).toBeNull();
    const docs = (
      await w.call(token, 'GET', `/api/v1/documents?patientId=${patientId}&limit=100`)
    ).json().items;
    for (const d of docs) {
      const urls = (await w.call(token, 'POST', `/api/v1/documents/${d.id}/urls`, {})).json();
      const file = await fetch(urls.url);
      expect(file.status).toBe(200);
      await file.arrayBuffer();
    }
  });
});
