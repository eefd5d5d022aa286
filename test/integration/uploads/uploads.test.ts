// The resumable upload protocol end to end over real HTTP, on the local backend and on a real
// S3-compatible server: resume, idempotency, batches, rejections, signed URLs and isolation.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadState } from '../../../src/shared/api/schemas.js';
import { BACKENDS, createBackendWorld } from '../../support/backends.js';
import { bigTiff, jpeg, pdf, pixelBomb, sha256 } from '../../support/files.js';
import { TestUploader } from '../../support/uploader.js';
import type { World } from '../../support/world.js';

describe.each(BACKENDS)('uploads ($name)', (backend) => {
  let w: World;
  let token: string;
  let patientId: string;
  let big: Buffer;
  beforeAll(async () => {
    w = await createBackendWorld(backend);
    token = await w.login(w.a.users.clinician.email);
    patientId = w.a.patients[2]!;
    big = await bigTiff();
  });
  afterAll(() => w?.close());

  const uploader = () => new TestUploader(w, token);
  const documentsOf = async (pid: string) =>
    (await w.call(token, 'GET', `/api/v1/documents?patientId=${pid}&limit=100`)).json().items as {
      id: string;
      title: string;
      sha256: string;
    }[];
  const download = async (documentId: string, headers: Record<string, string> = {}) => {
    const urls = (await w.call(token, 'POST', `/api/v1/documents/${documentId}/urls`, {})).json();
    return { urls, res: await fetch(urls.url, { headers }) };
  };

  it('resumes an interrupted upload by sending only the missing parts', async () => {
    const up = uploader();
    const started = await up.start(big, {
      patientId,
      fileName: 'chest-film.tiff',
      contentType: 'image/tiff',
    });
    expect(started.statusCode).toBe(201);
    const state: UploadState = started.json();
    expect(state.partSize).toBe(8 * 1024 * 1024);
    expect(state.partCount).toBe(3);

    const first = await up.sendParts(state, big, [1, 3]);
    // The connection drops here. Later the client asks what arrived.
    const after = await up.state(state.id);
    expect(after.status).toBe('pending');
    let have: Map<number, string>;
    if (after.parts === null) {
      // This storage cannot tell; the client relies on its own record of sent parts.
      have = first;
    } else {
      expect(after.parts.map((p) => p.partNumber)).toEqual([1, 3]);
      have = new Map(after.parts.map((p) => [p.partNumber, p.etag]));
    }
    const missing = [1, 2, 3].filter((n) => !have.has(n));
    expect(missing).toEqual([2]);
    const rest = await up.sendParts(after, big, missing);
    expect(up.partsSent).toBe(3);

    const done = await up.complete(state.id, new Map([...have, ...rest]));
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ status: 'completed', documentId: state.id });
    expect(done.json().document).toMatchObject({
      contentType: 'image/tiff',
      fileSize: big.length,
      sha256: sha256(big),
      thumbnailStatus: 'ready',
    });
    const { res } = await download(state.id);
    expect(res.status).toBe(200);
    expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(big));
  });

  it('gives one document for a repeated create and a repeated complete', async () => {
    const bytes = await pdf(3);
    const id = randomUUID();
    const up = uploader();
    const meta = {
      patientId,
      fileName: 'referral.pdf',
      contentType: 'application/pdf',
      title: 'Referral',
    };
    const first = await up.start(bytes, meta, id);
    const again = await up.start(bytes, meta, id);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(id);
    const changed = await up.start(bytes, { ...meta, title: 'Something else' }, id);
    expect(changed.statusCode).toBe(409);

    const etags = await up.sendParts(first.json(), bytes, [1]);
    const one = await up.complete(id, etags);
    const two = await up.complete(id, etags);
    expect(one.statusCode, one.body).toBe(200);
    expect(two.statusCode).toBe(200);
    expect(two.json().document.id).toBe(one.json().document.id);
    const docs = (await documentsOf(patientId)).filter((d) => d.title === 'Referral');
    expect(docs).toHaveLength(1);
    expect(docs[0]!.id).toBe(id);
  });

  it('makes a batch visible all at once, and a failing file rolls back its whole batch', async () => {
    const up = uploader();
    const good = [await jpeg(640, 480), await pdf(1), await jpeg(300, 400)];
    const okBatch = randomUUID();
    const ids: string[] = [];
    for (const [i, bytes] of good.entries()) {
      const isPdf = i === 1;
      const res = await up.upload(bytes, {
        patientId,
        fileName: isPdf ? `page-${i}.pdf` : `page-${i}.jpg`,
        contentType: isPdf ? 'application/pdf' : 'image/jpeg',
        title: `batch page ${i}`,
        batchId: okBatch,
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().document).toBeNull();
      ids.push(res.json().id);
    }
    const before = await documentsOf(patientId);
    expect(before.some((d) => ids.includes(d.id))).toBe(false);
    const commit = await w.call(token, 'POST', `/api/v1/batches/${okBatch}/commit`, {
      uploadIds: ids,
    });
    expect(commit.statusCode, commit.body).toBe(200);
    expect(commit.json()).toMatchObject({ status: 'committed', succeeded: 3, failed: 0 });
    const after = (await documentsOf(patientId)).map((d) => d.id);
    expect(ids.every((id) => after.includes(id))).toBe(true);
    const repeat = await w.call(token, 'POST', `/api/v1/batches/${okBatch}/commit`, {
      uploadIds: ids,
    });
    expect(repeat.json()).toEqual(commit.json());

    const badBatch = randomUUID();
    const goodOne = await up.upload(await jpeg(), {
      patientId,
      fileName: 'fine.jpg',
      contentType: 'image/jpeg',
      title: 'fine page',
      batchId: badBatch,
    });
    const spoofed = await up.upload(await jpeg(), {
      patientId,
      fileName: 'lab.pdf',
      contentType: 'application/pdf',
      title: 'spoofed page',
      batchId: badBatch,
    });
    expect(goodOne.statusCode).toBe(200);
    expect(spoofed.statusCode).toBe(422);
    expect(spoofed.json().detail).toMatch(/lab\.pdf: .*JPEG/);
    const failed = await w.call(token, 'POST', `/api/v1/batches/${badBatch}/commit`, {});
    expect(failed.statusCode).toBe(422);
    expect(failed.json()).toMatchObject({ status: 'failed', succeeded: 0, failed: 2 });
    const reasons = Object.fromEntries(
      failed.json().files.map((f: { fileName: string; reason: string }) => [f.fileName, f.reason]),
    );
    expect(reasons['lab.pdf']).toMatch(/JPEG/);
    expect(reasons['fine.jpg']).toMatch(/another file of this batch failed/);
    const titles = (await documentsOf(patientId)).map((d) => d.title);
    expect(titles).not.toContain('fine page');
    // The good file's bytes are cleaned up with the batch.
    const stored = [];
    for await (const o of w.storage.listObjects()) stored.push(o.key);
    expect(stored.some((k) => k.includes(goodOne.json().id))).toBe(false);
  });

  it('rejects bad files, each with its reason', async () => {
    const up = uploader();
    const bomb = await up.upload(await pixelBomb(), {
      patientId,
      fileName: 'bomb.png',
      contentType: 'image/png',
    });
    expect(bomb.statusCode).toBe(422);
    expect(bomb.json()).toMatchObject({ code: 'file_rejected' });
    expect(bomb.json().detail).toMatch(/bomb\.png: .*pixels/i);

    const whole = await pdf(4);
    const truncated = whole.subarray(0, Math.floor(whole.length * 0.6));
    const cut = await up.upload(truncated, {
      patientId,
      fileName: 'cut.pdf',
      contentType: 'application/pdf',
    });
    expect(cut.statusCode).toBe(422);
    expect(cut.json().detail).toMatch(/cut\.pdf: .*(truncated|damaged)/i);

    const hostile = await up.start(await jpeg(), {
      patientId,
      fileName: '../../etc/passwd.jpg',
      contentType: 'image/jpeg',
    });
    expect(hostile.statusCode).toBe(422);
    expect(hostile.json().detail).toMatch(/passwd\.jpg/);

    const zero = await up.start(Buffer.alloc(0), {
      patientId,
      fileName: 'empty.pdf',
      contentType: 'application/pdf',
    });
    expect(zero.statusCode).toBe(400);
    expect(zero.json().detail).toMatch(/size/);

    const tampered = await up.start(await jpeg(), {
      patientId,
      fileName: 'photo.jpg',
      contentType: 'image/jpeg',
    });
    const state: UploadState = tampered.json();
    const other = await jpeg(801, 600);
    const etags = await up.sendParts(state, other, [1]);
    const mismatch = await up.complete(state.id, etags);
    expect(mismatch.statusCode).toBe(422);
    expect(mismatch.json().detail).toMatch(/photo\.jpg: .*(bytes|SHA-256)/);

    const listed = (await documentsOf(patientId)).map((d) => d.title);
    for (const name of ['bomb.png', 'cut.pdf', 'photo.jpg']) expect(listed).not.toContain(name);
  });

  it('serves exactly the requested byte range', async () => {
    const bytes = await jpeg(1200, 900);
    const done = await uploader().upload(bytes, {
      patientId,
      fileName: 'wound.jpg',
      contentType: 'image/jpeg',
    });
    const id = done.json().id;
    const { urls, res } = await download(id, { range: 'bytes=100-1099' });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 100-1099/${bytes.length}`);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes.subarray(100, 1100));
    const thumb = await fetch(urls.thumbnailUrl);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    await thumb.arrayBuffer();
  });

  it('refuses a tampered or expired URL', async () => {
    const done = await uploader().upload(await jpeg(), {
      patientId,
      fileName: 'x.jpg',
      contentType: 'image/jpeg',
    });
    const id = done.json().id;
    const urls = (
      await w.call(token, 'POST', `/api/v1/documents/${id}/urls`, { expiresInSeconds: 60 })
    ).json();
    const u = new URL(urls.url);
    const sigParam = [...u.searchParams.keys()].find((k) => /sig/i.test(k))!;
    const sig = u.searchParams.get(sigParam)!;
    u.searchParams.set(sigParam, (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1));
    expect((await fetch(u)).status).toBe(403);

    const otherKey = new URL(urls.url);
    otherKey.pathname = otherKey.pathname.replace(id, randomUUID());
    expect((await fetch(otherKey)).status).toBe(403);

    if (backend.storage === 'local') {
      w.time.advance(61_000);
      expect((await fetch(urls.url)).status).toBe(403);
      w.time.advance(-61_000);
    }
  });

  it("answers 404 for another organization's upload and document ids", async () => {
    const done = await uploader().upload(await jpeg(), {
      patientId,
      fileName: 'a.jpg',
      contentType: 'image/jpeg',
    });
    const id = done.json().id;
    const other = await w.login(w.b.users.admin.email);
    for (const [method, url, body] of [
      ['GET', `/api/v1/uploads/${id}`],
      ['POST', `/api/v1/uploads/${id}/parts/sign`, { partNumbers: [1] }],
      ['POST', `/api/v1/uploads/${id}/complete`, { parts: [{ partNumber: 1, etag: 'x' }] }],
      ['DELETE', `/api/v1/uploads/${id}`],
      ['POST', `/api/v1/documents/${id}/urls`, {}],
    ] as const) {
      const res = await w.call(other, method, url, body);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
    const foreignPatient = await uploader().start(await jpeg(), {
      patientId: w.b.patients[0]!,
      fileName: 'b.jpg',
      contentType: 'image/jpeg',
    });
    expect(foreignPatient.statusCode).toBe(404);
  });

  it('audits every URL issued and every file served', async () => {
    const done = await uploader().upload(await pdf(1), {
      patientId,
      fileName: 'audited.pdf',
      contentType: 'application/pdf',
    });
    const id = done.json().id;
    const { urls, res } = await download(id);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const admin = await w.login(w.a.users.admin.email);
    const events = (await w.call(admin, 'GET', `/api/v1/audit?entityId=${id}&limit=100`)).json()
      .items as { action: string }[];
    const actions = events.map((e) => e.action);
    expect(actions).toContain('document.create');
    expect(actions).toContain('document.url');
    if (backend.storage === 'local') expect(actions).toContain('file.read');
    expect(urls.expiresAt).toBeDefined();
  });
});
