// What only the local backend does itself, over real HTTP: the file route's ranges, headers and
// audit trail, the part route's answers, and keeping earlier bytes when a step fails.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { documentKey } from '../../../src/server/storage/keys.js';
import { InvalidPartError } from '../../../src/server/storage/types.js';
import { startLocalBackend, type LocalBackend } from './backends.js';

const md5 = (data: Buffer | string) => `"${createHash('md5').update(data).digest('hex')}"`;

let b: LocalBackend;
beforeAll(async () => {
  b = await startLocalBackend();
});
afterAll(() => b?.close());

/** A GET with the path sent exactly as given. */
function rawGet(pathAndQuery: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(b.baseUrl);
    http
      .get({ hostname, port, path: pathAndQuery }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

const newKey = (ext = 'pdf') =>
  documentKey(randomUUID(), randomUUID(), randomUUID(), ext, new Date('2026-11-27T12:00:00Z'));

describe('GET /files/* (signed downloads)', () => {
  const data = randomBytes(100_000);
  const key = newKey();
  const documentId = randomUUID();
  let url: string;
  beforeAll(async () => {
    await b.storage.putObject(key, data, { contentType: 'application/pdf' });
    b.registerDocument(documentId, { contentType: 'application/pdf', fileName: 'Scan 1.pdf' });
    url = await b.storage.signDownload({
      key,
      contentType: 'application/pdf',
      fileName: 'Scan 1.pdf',
      documentId,
      disposition: 'inline',
      expiresInSeconds: 300,
    });
  });
  beforeEach(() => {
    b.audits.length = 0;
  });

  const get = (range?: string) => fetch(url, { headers: range ? { Range: range } : {} });

  it('serves the whole file with headers that keep browsers and caches in line', async () => {
    const res = await fetch(url, { headers: { 'User-Agent': 'Medaius viewer test' } });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true);
    expect(Object.fromEntries(res.headers)).toMatchObject({
      'content-type': 'application/pdf',
      'content-length': String(data.length),
      'accept-ranges': 'bytes',
      'x-content-type-options': 'nosniff',
      'cache-control': 'private',
      'content-disposition': `inline; filename="Scan 1.pdf"; filename*=UTF-8''Scan%201.pdf`,
    });
    expect(b.audits).toEqual([
      { documentId, key, clientAddress: '127.0.0.1', userAgent: 'Medaius viewer test' },
    ]);
  });

  it('lets the renderer read a range from its own origin, and answers the preflight without serving or auditing', async () => {
    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: {
        Origin: 'app://medaius',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'range',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/range/i);
    expect(b.audits).toEqual([]);

    const res = await fetch(url, { headers: { Origin: 'app://medaius', Range: 'bytes=10-19' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toMatch(/Content-Range/);
    expect(Buffer.from(await res.arrayBuffer()).equals(data.subarray(10, 20))).toBe(true);
  });

  it.each([
    ['bytes=0-0', 0, 0],
    ['bytes=99990-', 99_990, 99_999],
    ['bytes=-10', 99_990, 99_999],
    ['bytes=-500000', 0, 99_999],
    ['bytes=50000-999999', 50_000, 99_999],
  ])('answers %s with exactly those bytes (206)', async (range, start, end) => {
    const res = await get(range);
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/${data.length}`);
    expect(res.headers.get('content-length')).toBe(String(end - start + 1));
    expect(Buffer.from(await res.arrayBuffer()).equals(data.subarray(start, end + 1))).toBe(true);
    expect(b.audits).toEqual([expect.objectContaining({ documentId, key, range: { start, end } })]);
  });

  it.each(['bytes=100000-', 'bytes=200000-300000', 'bytes=-0'])(
    'answers the unsatisfiable %s with 416 and sends nothing',
    async (range) => {
      const res = await get(range);
      expect(res.status).toBe(416);
      expect(res.headers.get('content-range')).toBe(`bytes */${data.length}`);
      expect(b.audits).toEqual([]);
    },
  );

  it.each(['bytes=0-1,5-6', 'items=0-1', 'bytes=5-1'])(
    'ignores the range it does not serve (%s) and sends the whole file',
    async (range) => {
      const res = await get(range);
      expect(res.status).toBe(200);
      expect(Number(res.headers.get('content-length'))).toBe(data.length);
      await res.arrayBuffer();
    },
  );

  it('refuses a tampered link with a problem the client can show, and audits nothing', async () => {
    const tampered = new URL(url);
    tampered.searchParams.set('disp', 'attachment');
    const res = await fetch(tampered);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({
      code: 'forbidden',
      detail: expect.stringMatching(/changed or is incomplete/),
    });
    expect(b.audits).toEqual([]);
  });

  it('says when a link has expired', async () => {
    b.clock.offsetMs = -3600_000;
    const old = await b.storage.signDownload({
      key,
      contentType: 'application/pdf',
      fileName: 'Scan 1.pdf',
      documentId,
      disposition: 'inline',
      expiresInSeconds: 60,
    });
    b.clock.offsetMs = 0;
    const res = await fetch(old);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { detail: string }).detail).toMatch(
      /expired at .*open the document again/,
    );
  });

  it('refuses a link without its signature or expiry', async () => {
    for (const param of ['sig', 'exp', 'doc', 'disp']) {
      const cut = new URL(url);
      cut.searchParams.delete(param);
      expect((await fetch(cut)).status).toBe(403);
    }
  });

  it('does not serve paths outside the objects directory', async () => {
    await writeFile(path.join(b.root, '..', 'outside.txt'), 'not a stored file');
    const { search } = new URL(url);
    // Raw paths, as an attacker would send them: fetch() would normalize the dots away.
    for (const escape of [
      '../outside.txt',
      '%2e%2e/outside.txt',
      '..%2Foutside.txt',
      '%2E%2E%5Coutside.txt',
    ]) {
      const res = await rawGet(`/files/${escape}${search}`);
      expect(res.status).toBe(403);
      expect(res.body).not.toContain('not a stored file');
    }
    expect(b.audits).toEqual([]);
  });

  it('answers 404 when the document is gone or its file is missing', async () => {
    const gone = await b.storage.signDownload({
      key,
      contentType: 'application/pdf',
      fileName: 'x.pdf',
      documentId: randomUUID(),
      disposition: 'inline',
      expiresInSeconds: 60,
    });
    expect((await fetch(gone)).status).toBe(404);

    const missingKey = newKey();
    const missing = await b.storage.signDownload({
      key: missingKey,
      contentType: 'application/pdf',
      fileName: 'Scan 1.pdf',
      documentId,
      disposition: 'inline',
      expiresInSeconds: 60,
    });
    const res = await fetch(missing);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/missing from storage/);
    expect(b.audits).toEqual([]);
  });
});

describe('PUT /storage/parts/:uploadId/:partNumber (signed part uploads)', () => {
  const sign = (key: string, uploadId: string, partNumber: number) =>
    b.storage.signUploadPart({ key, uploadId, partNumber, expiresInSeconds: 300 });

  it('stores the raw bytes whatever content type the client sends', async () => {
    const key = newKey('json');
    const uploadId = await b.storage.createMultipartUpload(key, 'application/json');
    const body = '{"a": 1}';
    const res = await fetch(await sign(key, uploadId, 1), {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe(md5(body));
    expect(await b.storage.listParts(key, uploadId)).toEqual([
      { partNumber: 1, etag: md5(body), size: body.length },
    ]);
  });

  it('answers 404 for an upload that was aborted', async () => {
    const key = newKey();
    const uploadId = await b.storage.createMultipartUpload(key, 'application/pdf');
    const url = await sign(key, uploadId, 1);
    await b.storage.abortMultipartUpload(key, uploadId);
    const res = await fetch(url, { method: 'PUT', body: 'late part' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      code: 'not_found',
      detail: expect.stringMatching(/start the upload again/),
    });
  });

  it('refuses a tampered part link as forbidden problem+json', async () => {
    const key = newKey();
    const uploadId = await b.storage.createMultipartUpload(key, 'application/pdf');
    const url = new URL(await sign(key, uploadId, 1));
    url.searchParams.set('key', newKey());
    const res = await fetch(url, { method: 'PUT', body: 'x' });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'forbidden' });
  });

  it('keeps the earlier part when a re-send is cut off, and leaves no partial file', async () => {
    const key = newKey();
    const uploadId = await b.storage.createMultipartUpload(key, 'application/pdf');
    const first = randomBytes(64 * 1024);
    const url = await sign(key, uploadId, 1);
    await fetch(url, { method: 'PUT', body: first });

    await new Promise<void>((resolve) => {
      const req = http.request(url, {
        method: 'PUT',
        headers: { 'Content-Length': String(1024 * 1024) },
      });
      req.on('error', () => resolve());
      req.write(randomBytes(256 * 1024), () => {
        req.destroy();
        resolve();
      });
    });

    const uploadDir = path.join(b.root, '..', 'uploads', uploadId);
    for (let i = 0; i < 50 && (await readdir(uploadDir)).some((n) => n.startsWith('.')); i++) {
      await sleep(20);
    }
    expect((await readdir(uploadDir)).filter((n) => n.startsWith('.'))).toEqual([]);
    expect(await b.storage.listParts(key, uploadId)).toEqual([
      { partNumber: 1, etag: md5(first), size: first.length },
    ]);
  });
});

describe('completing a local multipart upload', () => {
  it('refuses an ETag it does not hold and a part it never received, creating nothing', async () => {
    const key = newKey();
    const uploadId = await b.storage.createMultipartUpload(key, 'application/pdf');
    const url = await b.storage.signUploadPart({
      key,
      uploadId,
      partNumber: 1,
      expiresInSeconds: 300,
    });
    await fetch(url, { method: 'PUT', body: 'first version' });
    await fetch(url, { method: 'PUT', body: 'second version' });

    await expect(
      b.storage.completeMultipartUpload(key, uploadId, [
        { partNumber: 1, etag: md5('first version') },
      ]),
    ).rejects.toBeInstanceOf(InvalidPartError);
    await expect(
      b.storage.completeMultipartUpload(key, uploadId, [
        { partNumber: 1, etag: md5('second version') },
        { partNumber: 2, etag: md5('never sent') },
      ]),
    ).rejects.toThrow(/Part 2 cannot be used/);
    expect(await b.storage.headObject(key)).toBeNull();

    await b.storage.completeMultipartUpload(key, uploadId, [
      { partNumber: 1, etag: md5('second version') },
    ]);
    const stored = await b.storage.readObject(key);
    const chunks: Buffer[] = [];
    for await (const c of stored) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('second version');
  });
});

describe('listing local objects', () => {
  it('skips files being written and uploads in progress', async () => {
    const key = newKey();
    await b.storage.putObject(key, Buffer.from('kept'), { contentType: 'text/plain' });
    const dir = path.join(b.root, ...key.split('/').slice(0, -1));
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, '.tmp-unfinished'), 'half');
    await b.storage.createMultipartUpload(newKey(), 'application/pdf');

    const prefix = key.split('/').slice(0, 2).join('/');
    const keys: string[] = [];
    for await (const o of b.storage.listObjects(prefix)) keys.push(o.key);
    expect(keys).toEqual([key]);
  });
});
