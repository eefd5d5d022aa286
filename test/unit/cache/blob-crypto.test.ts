// The cache's encrypted blob format on real files: what is written reads back, whole or by any
// range; nothing of the plaintext is on disk; and every kind of damage — a flipped bit, a cut,
// a swapped blob, a wrong key — is refused rather than returned.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BlobReader,
  BlobWriter,
  CacheIntegrityError,
  CacheKeys,
  openBlob,
  sealBlob,
  sealedSizeOf,
} from '../../../src/main/services/cache/blob-crypto.js';

const CHUNK = 4096;
let dir: string;
let keys: CacheKeys;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'medaius-blob-'));
  keys = new CacheKeys(randomBytes(32));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Recognisable plaintext: a repeated phrase, so a leak would show as that phrase. */
const plaintext = (bytes: number) =>
  Buffer.from('Patient Ada Lovelace MRN A-1 '.repeat(Math.ceil(bytes / 29)).slice(0, bytes));

async function writeBlob(file: string, data: Buffer, pieces = 7): Promise<void> {
  const writer = await BlobWriter.create(file, keys, 'file', 'doc-1', data.length, CHUNK);
  const step = Math.ceil(data.length / pieces) || 1;
  for (let at = 0; at < data.length; at += step) await writer.write(data.subarray(at, at + step));
  await writer.finish();
}

describe('sealed blobs', () => {
  it.each([0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK, 5 * CHUNK + 123])(
    'reads back %i bytes whole and by range, with no plaintext on disk',
    async (size) => {
      const data = plaintext(size);
      const file = path.join(dir, keys.nameOf('file', 'doc-1'));
      await writeBlob(file, data);
      expect(statSync(file).size).toBe(sealedSizeOf(size, CHUNK));
      if (size >= 12) expect(readFileSync(file).includes(data.subarray(0, 12))).toBe(false);

      const reader = await BlobReader.open(file, keys, 'file', 'doc-1', 'the test file');
      try {
        expect((await reader.readAll()).equals(data)).toBe(true);
        for (const [start, end] of [
          [0, size - 1],
          [CHUNK - 3, CHUNK + 3],
          [Math.floor(size / 2), size - 1],
          [1, 1],
        ] as const) {
          if (start > end || end >= size) continue;
          const got = await text(reader.stream(start, end));
          expect(got).toBe(data.subarray(start, end + 1).toString());
        }
      } finally {
        await reader.close();
      }
    },
  );

  it('names blobs by HMAC: the same id gives the same name, nothing of the id shows', () => {
    const id = '3f1c2b7e-0000-4000-8000-000000000001';
    expect(keys.nameOf('file', id)).toBe(keys.nameOf('file', id));
    expect(keys.nameOf('file', id)).not.toBe(keys.nameOf('thumbnail', id));
    expect(keys.nameOf('file', id)).not.toContain(id.slice(0, 8));
    expect(new CacheKeys(randomBytes(32)).nameOf('file', id)).not.toBe(keys.nameOf('file', id));
  });

  it('refuses a flipped bit, a cut, a swapped blob and another key', async () => {
    const data = plaintext(3 * CHUNK + 10);
    const file = path.join(dir, 'a');
    await writeBlob(file, data);
    const read = (f = file, k = keys, id = 'doc-1') =>
      BlobReader.open(f, k, 'file', id, 'the test file').then(async (r) => {
        try {
          return await r.readAll();
        } finally {
          await r.close();
        }
      });

    const original = readFileSync(file);
    const flipped = Buffer.from(original);
    // The last chunk is 10 bytes and its tag: this bit is in it.
    flipped[original.length - 20]! ^= 0x01;
    writeFileSync(file, flipped);
    await expect(read()).rejects.toThrow(/chunk 4 failed its authentication check/);

    writeFileSync(file, original);
    truncateSync(file, original.length - 1);
    await expect(read()).rejects.toThrow(CacheIntegrityError);

    writeFileSync(file, original);
    await expect(read(file, keys, 'doc-2')).rejects.toThrow(CacheIntegrityError);
    await expect(read(file, new CacheKeys(randomBytes(32)))).rejects.toThrow(CacheIntegrityError);

    // The last chunks dropped and the header's size made to match: still refused.
    const header = Buffer.from(original);
    header.writeBigUInt64BE(BigInt(2 * CHUNK), 12);
    writeFileSync(file, header.subarray(0, sealedSizeOf(2 * CHUNK, CHUNK)));
    await expect(read()).rejects.toThrow(CacheIntegrityError);
  });

  it('seals small values in memory, bound to their kind and id', () => {
    const json = Buffer.from(JSON.stringify({ givenName: 'Ada', mrn: 'A-1' }));
    const sealed = sealBlob(keys, 'patient', 'p1', json);
    expect(sealed.includes(Buffer.from('Ada'))).toBe(false);
    expect(openBlob(keys, 'patient', 'p1', sealed, 'p').equals(json)).toBe(true);
    expect(() => openBlob(keys, 'document', 'p1', sealed, 'p')).toThrow(CacheIntegrityError);
    expect(() => openBlob(keys, 'patient', 'p2', sealed, 'p')).toThrow(CacheIntegrityError);
  });

  it('resumes an interrupted write from its whole chunks, and the result reads back', async () => {
    const data = plaintext(4 * CHUNK + 500);
    const file = path.join(dir, 'partial');
    const first = await BlobWriter.create(file, keys, 'file', 'doc-1', data.length, CHUNK);
    await first.write(data.subarray(0, 2 * CHUNK + 700));
    expect(first.durable).toBe(2 * CHUNK);
    await first.close();
    // A torn write of the third chunk: some bytes of it reached the disk.
    const torn = readFileSync(file);
    writeFileSync(file, Buffer.concat([torn, randomBytes(300)]));

    const replayed: Buffer[] = [];
    const writer = await BlobWriter.resume(file, keys, 'file', 'doc-1', data.length, (p) =>
      replayed.push(p),
    );
    expect(writer).not.toBeNull();
    expect(writer!.received).toBe(2 * CHUNK);
    expect(Buffer.concat(replayed).equals(data.subarray(0, 2 * CHUNK))).toBe(true);
    await writer!.write(data.subarray(writer!.received));
    await writer!.finish();
    const reader = await BlobReader.open(file, keys, 'file', 'doc-1', 'the test file');
    expect((await reader.readAll()).equals(data)).toBe(true);
    await reader.close();

    // A partial blob for another size, or a damaged one, is not resumed.
    expect(await BlobWriter.resume(file, keys, 'file', 'doc-1', data.length + 1, () => {})).toBe(
      null,
    );
  });

  it('refuses more bytes than the blob was made for', async () => {
    const writer = await BlobWriter.create(path.join(dir, 'x'), keys, 'file', 'd', 10, CHUNK);
    await expect(writer.write(Buffer.alloc(11))).rejects.toThrow(/More bytes arrived/);
    await writer.close();
  });
});
