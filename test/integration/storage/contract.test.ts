// One contract, two backends: what the upload engine and the viewer rely on from storage,
// checked against LocalStorage over real HTTP and S3Storage against a real S3 server.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentKey, UnsafeKeyError } from '../../../src/server/storage/keys.js';
import {
  ObjectNotFoundError,
  UploadNotFoundError,
  type ObjectInfo,
} from '../../../src/server/storage/types.js';
import { BACKENDS, type Backend } from './backends.js';

const MiB = 1024 * 1024;
const ORG = randomUUID();

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function listed(iterable: AsyncIterable<ObjectInfo>): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const info of iterable) out.push(info);
  return out;
}

function newKey(patient = randomUUID(), ext = 'pdf'): string {
  return documentKey(ORG, patient, randomUUID(), ext, new Date('2026-11-27T12:00:00Z'));
}

/** The same URL with one character of its signature changed. */
function withAlteredSignature(url: string): string {
  const u = new URL(url);
  const param = u.searchParams.has('sig') ? 'sig' : 'X-Amz-Signature';
  const sig = u.searchParams.get(param)!;
  u.searchParams.set(param, (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1));
  return u.toString();
}

describe.each(BACKENDS)('storage contract: $name', ({ start }) => {
  let b: Backend;
  beforeAll(async () => {
    b = await start();
  });
  afterAll(() => b?.close());

  async function signDownload(
    key: string,
    o: {
      documentId?: string;
      expiresInSeconds?: number;
      disposition?: 'inline' | 'attachment';
    } = {},
  ) {
    const documentId = o.documentId ?? randomUUID();
    const file = { contentType: 'application/pdf', fileName: 'Lab results.pdf' };
    b.registerDocument(documentId, file);
    return b.storage.signDownload({
      key,
      ...file,
      documentId,
      disposition: o.disposition ?? 'inline',
      expiresInSeconds: o.expiresInSeconds ?? 300,
    });
  }

  describe('whole objects', () => {
    it('stores a file and reads it back whole and by range', async () => {
      const key = newKey();
      const data = randomBytes(256 * 1024 + 17);
      await b.storage.putObject(key, data, { contentType: 'application/pdf', size: data.length });

      const head = await b.storage.headObject(key);
      expect(head).toMatchObject({ key, size: data.length });
      expect(head!.lastModified).toBeInstanceOf(Date);
      expect(sha256(await bytesOf(await b.storage.readObject(key)))).toBe(sha256(data));
      const slice = await bytesOf(await b.storage.readObject(key, { start: 1000, end: 70_000 }));
      expect(slice.equals(data.subarray(1000, 70_001))).toBe(true);
    });

    it('stores a stream of known size', async () => {
      const key = newKey();
      const data = randomBytes(3 * MiB);
      await b.storage.putObject(key, Readable.from([data.subarray(0, MiB), data.subarray(MiB)]), {
        contentType: 'application/pdf',
        size: data.length,
      });
      expect(sha256(await bytesOf(await b.storage.readObject(key)))).toBe(sha256(data));
    });

    it('answers null for a missing object, refuses to read it, and deletes it quietly', async () => {
      const key = newKey();
      expect(await b.storage.headObject(key)).toBeNull();
      await expect(b.storage.readObject(key)).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(b.storage.deleteObject(key)).resolves.toBeUndefined();
    });

    it('refuses a range outside the object', async () => {
      const key = newKey();
      await b.storage.putObject(key, Buffer.from('0123456789'), { contentType: 'text/plain' });
      await expect(b.storage.readObject(key, { start: 20, end: 30 })).rejects.toBeInstanceOf(
        RangeError,
      );
    });

    it('deletes an object', async () => {
      const key = newKey();
      await b.storage.putObject(key, Buffer.from('bye'), { contentType: 'text/plain' });
      await b.storage.deleteObject(key);
      expect(await b.storage.headObject(key)).toBeNull();
    });

    it('lists objects under a prefix in key order, with their sizes', async () => {
      const patient = randomUUID();
      const keys = ['pdf', 'jpg', 'png'].map((ext) => newKey(patient, ext));
      for (const [i, key] of keys.entries()) {
        await b.storage.putObject(key, Buffer.alloc(i + 1), { contentType: 'text/plain' });
      }
      await b.storage.putObject(newKey(), Buffer.from('another patient'), {
        contentType: 'text/plain',
      });

      const found = await listed(b.storage.listObjects(`${ORG}/${patient}/`));
      expect(found.map((o) => o.key)).toEqual([...keys].sort());
      expect(found.map((o) => o.size).sort()).toEqual([1, 2, 3]);
      // A prefix that ends inside a segment matches like S3's does.
      const partial = await listed(b.storage.listObjects(`${ORG}/${patient.slice(0, 20)}`));
      expect(partial.map((o) => o.key)).toEqual([...keys].sort());
      const all = await listed(b.storage.listObjects());
      expect(all.length).toBeGreaterThanOrEqual(4);
    });
  });

  describe('multipart uploads through signed part URLs', () => {
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(MiB + 3)];

    async function putPart(key: string, uploadId: string, partNumber: number, data: Buffer) {
      const url = await b.storage.signUploadPart({
        key,
        uploadId,
        partNumber,
        expiresInSeconds: 300,
      });
      // No bearer token: the signature is the authorization.
      const res = await fetch(url, { method: 'PUT', body: data });
      expect(res.status, await res.clone().text()).toBe(200);
      const etag = res.headers.get('etag');
      expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
      return etag!;
    }

    it('assembles the parts in order into the object; a re-sent part replaces the first', async () => {
      const key = newKey(randomUUID(), 'dcm');
      const uploadId = await b.storage.createMultipartUpload(key, 'application/dicom');
      const etags: string[] = [];
      for (const [i, data] of parts.entries())
        etags.push(await putPart(key, uploadId, i + 1, data));
      expect(etags[0]).toBe(`"${createHash('md5').update(parts[0]!).digest('hex')}"`);

      const replacement = randomBytes(5 * MiB);
      etags[1] = await putPart(key, uploadId, 2, replacement);

      const held = await b.storage.listParts(key, uploadId);
      if (b.kind === 'local') {
        expect(held).toEqual([
          { partNumber: 1, etag: etags[0], size: 5 * MiB },
          { partNumber: 2, etag: etags[1], size: 5 * MiB },
          { partNumber: 3, etag: etags[2], size: MiB + 3 },
        ]);
      } else {
        expect(held).toBeNull(); // s3rver does not implement ListParts
      }

      // Listed out of order on purpose: completion orders parts by number.
      await b.storage.completeMultipartUpload(key, uploadId, [
        { partNumber: 3, etag: etags[2]! },
        { partNumber: 1, etag: etags[0]! },
        { partNumber: 2, etag: etags[1]! },
      ]);
      const expected = Buffer.concat([parts[0]!, replacement, parts[2]!]);
      expect((await b.storage.headObject(key))?.size).toBe(expected.length);
      expect(sha256(await bytesOf(await b.storage.readObject(key)))).toBe(sha256(expected));
    });

    it('refuses a part URL whose part number or signature was changed', async () => {
      const key = newKey();
      const uploadId = await b.storage.createMultipartUpload(key, 'application/pdf');
      const url = await b.storage.signUploadPart({
        key,
        uploadId,
        partNumber: 2,
        expiresInSeconds: 300,
      });
      const otherPart =
        b.kind === 'local'
          ? url.replace(`/${uploadId}/2?`, `/${uploadId}/3?`)
          : url.replace('partNumber=2', 'partNumber=3');
      expect(otherPart).not.toBe(url);
      for (const tampered of [otherPart, withAlteredSignature(url)]) {
        const res = await fetch(tampered, { method: 'PUT', body: Buffer.from('x') });
        expect(res.status).toBe(403);
      }
      await b.storage.abortMultipartUpload(key, uploadId);
    });

    it('refuses an expired part URL', async () => {
      const key = newKey();
      const uploadId = await b.storage.createMultipartUpload(key, 'application/pdf');
      b.clock.offsetMs = -3600_000;
      const url = await b.storage.signUploadPart({
        key,
        uploadId,
        partNumber: 1,
        expiresInSeconds: 60,
      });
      b.clock.offsetMs = 0;
      const res = await fetch(url, { method: 'PUT', body: Buffer.from('late') });
      expect(res.status).toBe(403);
      expect(await res.text()).toMatch(/expired/i);
      await b.storage.abortMultipartUpload(key, uploadId);
    });

    it('aborts an upload, and aborting it again still succeeds', async () => {
      const key = newKey();
      const uploadId = await b.storage.createMultipartUpload(key, 'application/pdf');
      await putPart(key, uploadId, 1, Buffer.from('part'));
      await b.storage.abortMultipartUpload(key, uploadId);
      await b.storage.abortMultipartUpload(key, uploadId);
      if (b.kind === 'local') {
        await expect(b.storage.listParts(key, uploadId)).rejects.toBeInstanceOf(
          UploadNotFoundError,
        );
      }
    });
  });

  describe('signed downloads', () => {
    const data = randomBytes(2 * MiB + 123);
    let key: string;
    let otherKey: string;
    beforeAll(async () => {
      key = newKey();
      otherKey = newKey();
      await b.storage.putObject(key, data, { contentType: 'application/pdf' });
      await b.storage.putObject(otherKey, randomBytes(100), { contentType: 'application/pdf' });
    });

    it('returns exactly the stored bytes, with the type and file name to show', async () => {
      const res = await fetch(await signDownload(key, { disposition: 'attachment' }));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(res.headers.get('content-disposition')).toMatch(/^attachment;.*Lab results\.pdf/);
      expect(Number(res.headers.get('content-length'))).toBe(data.length);
      expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(data));
    });

    it('answers a Range request with exactly the requested bytes (206)', async () => {
      const res = await fetch(await signDownload(key), { headers: { Range: 'bytes=1000-1999' } });
      expect(res.status).toBe(206);
      expect(res.headers.get('content-range')).toBe(`bytes 1000-1999/${data.length}`);
      expect(res.headers.get('accept-ranges')).toBe('bytes');
      expect(Buffer.from(await res.arrayBuffer()).equals(data.subarray(1000, 2000))).toBe(true);
    });

    it('refuses a URL with one character of its signature changed', async () => {
      const res = await fetch(withAlteredSignature(await signDownload(key)));
      expect(res.status).toBe(403);
    });

    it('refuses a URL pointed at another file', async () => {
      const url = await signDownload(key);
      const tampered = url.replace(key, otherKey);
      expect(tampered).not.toBe(url);
      const res = await fetch(tampered);
      expect(res.status).toBe(403);
    });

    it('refuses a URL whose file name or document was changed', async () => {
      const url = new URL(await signDownload(key));
      if (b.kind === 'local') {
        const other = randomUUID();
        b.registerDocument(other, { contentType: 'application/pdf', fileName: 'x.pdf' });
        url.searchParams.set('doc', other);
      } else {
        url.searchParams.set('response-content-disposition', 'attachment; filename="x.html"');
      }
      expect((await fetch(url)).status).toBe(403);
    });

    it('refuses an expired URL', async () => {
      b.clock.offsetMs = -3600_000;
      const url = await signDownload(key, { expiresInSeconds: 60 });
      b.clock.offsetMs = 0;
      const res = await fetch(url);
      expect(res.status).toBe(403);
      expect(await res.text()).toMatch(/expired/i);
    });

    it('makes a safe Content-Disposition from a hostile-looking file name', async () => {
      const documentId = randomUUID();
      const fileName = 'x"; filename="evil.html"; a=\\b ü.pdf';
      b.registerDocument(documentId, { contentType: 'application/pdf', fileName });
      const url = await b.storage.signDownload({
        key,
        contentType: 'application/pdf',
        fileName,
        documentId,
        disposition: 'attachment',
        expiresInSeconds: 60,
      });
      const res = await fetch(url);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      const header = res.headers.get('content-disposition')!;
      // Exactly one disposition with a quoted, escaped filename and an RFC 8187 filename*:
      // nothing in the name can end the quoted string and add a parameter of its own.
      expect(header).toMatch(
        /^attachment; filename="(?:[^"\\\r\n]|\\["\\])*"(?:; filename\*=UTF-8''[A-Za-z0-9!#$&+.^_`|~%-]+)?$/,
      );
      expect(header).not.toMatch(/filename="evil\.html"/);
    });
  });

  describe('keys', () => {
    it('refuses keys that could leave the storage root', async () => {
      for (const key of ['../escape.pdf', `${ORG}/../../etc/passwd`, '/etc/passwd', 'a\\b.pdf']) {
        await expect(
          b.storage.putObject(key, Buffer.from('x'), { contentType: 'text/plain' }),
        ).rejects.toBeInstanceOf(UnsafeKeyError);
        await expect(b.storage.readObject(key)).rejects.toBeInstanceOf(UnsafeKeyError);
        await expect(b.storage.createMultipartUpload(key, 'text/plain')).rejects.toBeInstanceOf(
          UnsafeKeyError,
        );
        await expect(signDownload(key)).rejects.toBeInstanceOf(UnsafeKeyError);
      }
    });
  });
});
