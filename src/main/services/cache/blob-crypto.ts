// How the offline cache keeps bytes on disk: every file, thumbnail and piece of metadata is a
// "blob" encrypted with AES-256-GCM in fixed-size chunks, so it can be written as it downloads,
// read from any offset, and any damaged chunk is detected before a byte of it is used.
//
// Blob layout: a 36-byte header (magic, version, chunk size, plaintext size, random salt), then
// the chunks, each its ciphertext followed by a 16-byte tag. The blob's key is derived from the
// installation's data key, the salt and the blob's kind and id (HKDF-SHA256), so a key encrypts
// exactly one blob; a chunk's nonce is its index. Every chunk authenticates the header as
// associated data, which binds the plaintext size: a truncated, extended, reordered or swapped
// blob fails to decrypt. File names are HMACs of kind and id, so they say nothing either.
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  type CipherGCM,
} from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';

export const DEFAULT_CHUNK_BYTES = 1024 * 1024;
export const TAG_BYTES = 16;
export const HEADER_BYTES = 36;
const SALT_BYTES = 16;
const MAGIC = Buffer.from('MDCB', 'latin1');
const VERSION = 1;
const MAX_CHUNK_BYTES = 64 * 1024 * 1024;

/** What a blob holds; part of its key, so a blob of one kind cannot pass for another. */
export type BlobKind =
  'file' | 'thumbnail' | 'document' | 'annotations' | 'patient' | 'encounters' | 'index' | 'view';

/** A blob failed to decrypt or is not the shape it should be: it must not be used. */
export class CacheIntegrityError extends Error {
  override name = 'CacheIntegrityError';
  constructor(
    /** what the blob holds, for the message, e.g. "the file of document 1234…" */
    readonly what: string,
    readonly reason: string,
  ) {
    super(`The offline copy of ${what} is damaged (${reason}).`);
  }
}

/** The keys of one installation's cache, all derived from its 256-bit data key. */
export class CacheKeys {
  readonly #dataKey: Buffer;
  readonly #nameKey: Buffer;

  constructor(dataKey: Buffer) {
    if (dataKey.length !== 32) throw new Error('The cache data key must be 32 bytes.');
    this.#dataKey = Buffer.from(dataKey);
    this.#nameKey = derive(this.#dataKey, Buffer.alloc(0), 'medaius cache names v1');
  }

  /** The file name a blob is stored under: an HMAC of kind and id, 40 hex digits. */
  nameOf(kind: BlobKind, id: string): string {
    return createHmac('sha256', this.#nameKey).update(`${kind}\0${id}`).digest('hex').slice(0, 40);
  }

  blobKey(kind: BlobKind, id: string, salt: Buffer): Buffer {
    return derive(this.#dataKey, salt, `medaius cache blob v1\0${kind}\0${id}`);
  }
}

function derive(key: Buffer, salt: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, salt, info, 32));
}

/** How many chunks a blob of `size` plaintext bytes has: at least one, so even empty is sealed. */
export const chunkCountOf = (size: number, chunkBytes: number): number =>
  Math.max(1, Math.ceil(size / chunkBytes));

/** Bytes on disk of a blob of `size` plaintext bytes. */
export const sealedSizeOf = (size: number, chunkBytes = DEFAULT_CHUNK_BYTES): number =>
  HEADER_BYTES + chunkCountOf(size, chunkBytes) * TAG_BYTES + size;

interface Header {
  raw: Buffer;
  chunkBytes: number;
  size: number;
  salt: Buffer;
}

function makeHeader(chunkBytes: number, size: number): Header {
  const raw = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(raw, 0);
  raw.writeUInt8(VERSION, 4);
  raw.writeUInt32BE(chunkBytes, 8);
  raw.writeBigUInt64BE(BigInt(size), 12);
  const salt = randomBytes(SALT_BYTES);
  salt.copy(raw, 20);
  return { raw, chunkBytes, size, salt };
}

function parseHeader(raw: Buffer, what: string): Header {
  if (raw.length < HEADER_BYTES) throw new CacheIntegrityError(what, 'it is cut short');
  if (!raw.subarray(0, 4).equals(MAGIC) || raw.readUInt8(4) !== VERSION) {
    throw new CacheIntegrityError(what, 'its header is not a cache header');
  }
  const chunkBytes = raw.readUInt32BE(8);
  const size = Number(raw.readBigUInt64BE(12));
  if (chunkBytes < 1 || chunkBytes > MAX_CHUNK_BYTES || !Number.isSafeInteger(size)) {
    throw new CacheIntegrityError(what, 'its header is damaged');
  }
  const header = Buffer.from(raw.subarray(0, HEADER_BYTES));
  return { raw: header, chunkBytes, size, salt: header.subarray(20, 36) };
}

function nonceOf(index: number): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeBigUInt64BE(BigInt(index), 4);
  return nonce;
}

function sealChunk(key: Buffer, header: Buffer, index: number, plain: Uint8Array): Buffer[] {
  const cipher: CipherGCM = createCipheriv('aes-256-gcm', key, nonceOf(index));
  cipher.setAAD(header);
  const body = cipher.update(plain);
  cipher.final();
  return [body, cipher.getAuthTag()];
}

function openChunk(
  key: Buffer,
  header: Buffer,
  index: number,
  sealed: Buffer,
  what: string,
): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, nonceOf(index));
  decipher.setAAD(header);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const plain = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
  try {
    decipher.final();
  } catch {
    throw new CacheIntegrityError(what, `chunk ${index + 1} failed its authentication check`);
  }
  return plain;
}

/** Encrypts a whole buffer as one blob: for metadata, thumbnails and the index. */
export function sealBlob(
  keys: CacheKeys,
  kind: BlobKind,
  id: string,
  plain: Uint8Array,
  chunkBytes = DEFAULT_CHUNK_BYTES,
): Buffer {
  const header = makeHeader(chunkBytes, plain.length);
  const key = keys.blobKey(kind, id, header.salt);
  const parts: Buffer[] = [header.raw];
  const count = chunkCountOf(plain.length, chunkBytes);
  for (let i = 0; i < count; i++) {
    parts.push(
      ...sealChunk(key, header.raw, i, plain.subarray(i * chunkBytes, (i + 1) * chunkBytes)),
    );
  }
  return Buffer.concat(parts);
}

/** Decrypts a whole blob held in memory; throws CacheIntegrityError naming `what`. */
export function openBlob(
  keys: CacheKeys,
  kind: BlobKind,
  id: string,
  sealed: Buffer,
  what: string,
): Buffer {
  const header = parseHeader(sealed, what);
  if (sealed.length !== sealedSizeOf(header.size, header.chunkBytes)) {
    throw new CacheIntegrityError(what, 'its length does not match its header');
  }
  const key = keys.blobKey(kind, id, header.salt);
  const count = chunkCountOf(header.size, header.chunkBytes);
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const start = HEADER_BYTES + i * (header.chunkBytes + TAG_BYTES);
    const plainBytes = Math.min(header.chunkBytes, header.size - i * header.chunkBytes);
    out.push(
      openChunk(key, header.raw, i, sealed.subarray(start, start + plainBytes + TAG_BYTES), what),
    );
  }
  return Buffer.concat(out);
}

/**
 * Writes a blob as its plaintext arrives — a download goes straight into encrypted chunks, and
 * no plaintext reaches the disk. Only whole chunks are written; the last, partial one waits in
 * memory. After an interruption, `resume` keeps the chunks already on disk.
 */
export class BlobWriter {
  readonly #handle: FileHandle;
  readonly #key: Buffer;
  readonly #header: Header;
  readonly #pending: Buffer;
  #pendingBytes = 0;
  #chunksWritten: number;

  private constructor(handle: FileHandle, key: Buffer, header: Header, chunksWritten: number) {
    this.#handle = handle;
    this.#key = key;
    this.#header = header;
    this.#pending = Buffer.alloc(header.chunkBytes);
    this.#chunksWritten = chunksWritten;
  }

  /** Starts a new blob at `file` (replacing any), for `size` plaintext bytes. */
  static async create(
    file: string,
    keys: CacheKeys,
    kind: BlobKind,
    id: string,
    size: number,
    chunkBytes = DEFAULT_CHUNK_BYTES,
  ): Promise<BlobWriter> {
    const header = makeHeader(chunkBytes, size);
    const handle = await open(file, 'w', 0o600);
    try {
      await handle.write(header.raw, 0, HEADER_BYTES, 0);
    } catch (error) {
      await handle.close();
      throw error;
    }
    return new BlobWriter(handle, keys.blobKey(kind, id, header.salt), header, 0);
  }

  /**
   * Reopens a blob an interrupted download left, for the same `size`. Every whole chunk on disk
   * is decrypted and handed to `onChunk` in order (to rebuild a checksum); a torn chunk at the
   * end is cut off. Returns null when there is nothing sound to keep.
   */
  static async resume(
    file: string,
    keys: CacheKeys,
    kind: BlobKind,
    id: string,
    size: number,
    onChunk: (plain: Buffer) => void,
  ): Promise<BlobWriter | null> {
    let handle: FileHandle;
    try {
      handle = await open(file, 'r+');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    try {
      const raw = Buffer.alloc(HEADER_BYTES);
      const { bytesRead } = await handle.read(raw, 0, HEADER_BYTES, 0);
      const header = parseHeader(raw.subarray(0, bytesRead), id);
      if (header.size !== size) throw new CacheIntegrityError(id, 'it is for another size');
      const key = keys.blobKey(kind, id, header.salt);
      const stride = header.chunkBytes + TAG_BYTES;
      const onDisk = (await handle.stat()).size;
      // The last chunk is written only by finish(), so a partial blob's chunks are all full.
      const whole = Math.min(
        Math.floor((onDisk - HEADER_BYTES) / stride),
        chunkCountOf(size, header.chunkBytes) - 1,
      );
      const sealed = Buffer.alloc(stride);
      for (let i = 0; i < whole; i++) {
        await readExactly(handle, sealed, HEADER_BYTES + i * stride, id);
        onChunk(openChunk(key, header.raw, i, sealed, id));
      }
      await handle.truncate(HEADER_BYTES + whole * stride);
      return new BlobWriter(handle, key, header, whole);
    } catch (error) {
      await handle.close();
      if (error instanceof CacheIntegrityError) return null;
      throw error;
    }
  }

  /** Plaintext bytes taken so far, written or waiting in memory: where a download goes on. */
  get received(): number {
    return this.#chunksWritten * this.#header.chunkBytes + this.#pendingBytes;
  }

  /** Plaintext bytes in whole chunks on disk: what survives a crash. */
  get durable(): number {
    return this.#chunksWritten * this.#header.chunkBytes;
  }

  async write(data: Uint8Array): Promise<void> {
    if (this.received + data.length > this.#header.size) {
      throw new Error(
        `More bytes arrived than the ${this.#header.size} expected; the download is not the file it should be.`,
      );
    }
    let offset = 0;
    const chunkBytes = this.#header.chunkBytes;
    while (offset < data.length) {
      const take = Math.min(chunkBytes - this.#pendingBytes, data.length - offset);
      this.#pending.set(data.subarray(offset, offset + take), this.#pendingBytes);
      this.#pendingBytes += take;
      offset += take;
      // A full chunk that is not the blob's last is written now; the last waits for finish().
      if (this.#pendingBytes === chunkBytes && this.received < this.#header.size) {
        await this.#writeChunk(this.#pending);
      }
    }
  }

  /** Writes the last chunk and makes the blob durable; the whole size must have arrived. */
  async finish(): Promise<void> {
    if (this.received !== this.#header.size) {
      throw new Error(`Only ${this.received} of ${this.#header.size} bytes arrived.`);
    }
    await this.#writeChunk(this.#pending.subarray(0, this.#pendingBytes));
    await this.#handle.sync();
    await this.#handle.close();
  }

  /** Closes the blob, keeping its whole chunks for a later resume. */
  async close(): Promise<void> {
    await this.#handle.close();
  }

  async #writeChunk(plain: Buffer): Promise<void> {
    const [body, tag] = sealChunk(this.#key, this.#header.raw, this.#chunksWritten, plain);
    const position = HEADER_BYTES + this.#chunksWritten * (this.#header.chunkBytes + TAG_BYTES);
    await this.#handle.writev([body!, tag!], position);
    this.#chunksWritten++;
    this.#pendingBytes = 0;
  }
}

/** Reads a blob from disk: whole, by chunk, or as a stream of any byte range. */
export class BlobReader {
  readonly size: number;
  readonly #handle: FileHandle;
  readonly #key: Buffer;
  readonly #header: Header;
  readonly #what: string;

  private constructor(handle: FileHandle, key: Buffer, header: Header, what: string) {
    this.#handle = handle;
    this.#key = key;
    this.#header = header;
    this.#what = what;
    this.size = header.size;
  }

  /** Opens a complete blob; throws CacheIntegrityError when it is cut short or not a blob. */
  static async open(
    file: string,
    keys: CacheKeys,
    kind: BlobKind,
    id: string,
    what: string,
  ): Promise<BlobReader> {
    const handle = await open(file, 'r');
    try {
      const raw = Buffer.alloc(HEADER_BYTES);
      const { bytesRead } = await handle.read(raw, 0, HEADER_BYTES, 0);
      const header = parseHeader(raw.subarray(0, bytesRead), what);
      if ((await handle.stat()).size !== sealedSizeOf(header.size, header.chunkBytes)) {
        throw new CacheIntegrityError(what, 'its length does not match its header');
      }
      return new BlobReader(handle, keys.blobKey(kind, id, header.salt), header, what);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  get chunkBytes(): number {
    return this.#header.chunkBytes;
  }

  /** The plaintext of chunk `index`, authenticated; `into` is reused for the ciphertext. */
  async chunk(index: number, into?: Buffer): Promise<Buffer> {
    const { chunkBytes, size } = this.#header;
    const plainBytes = Math.min(chunkBytes, size - index * chunkBytes);
    const length = plainBytes + TAG_BYTES;
    const sealed = into && into.length >= length ? into.subarray(0, length) : Buffer.alloc(length);
    await readExactly(
      this.#handle,
      sealed,
      HEADER_BYTES + index * (chunkBytes + TAG_BYTES),
      this.#what,
    );
    return openChunk(this.#key, this.#header.raw, index, sealed, this.#what);
  }

  /**
   * The whole plaintext; every chunk is authenticated before it is returned. The blob is read
   * in one go and each chunk's plaintext written over the ciphertext already used (plaintext
   * offsets never pass the next chunk's ciphertext), so only one large buffer is made.
   */
  async readAll(): Promise<Buffer> {
    const { chunkBytes, size } = this.#header;
    const count = chunkCountOf(size, chunkBytes);
    const all = Buffer.allocUnsafe(sealedSizeOf(size, chunkBytes) - HEADER_BYTES);
    await readExactly(this.#handle, all, HEADER_BYTES, this.#what);
    for (let i = 0; i < count; i++) {
      const start = i * (chunkBytes + TAG_BYTES);
      const length = Math.min(chunkBytes, size - i * chunkBytes) + TAG_BYTES;
      const plain = openChunk(
        this.#key,
        this.#header.raw,
        i,
        all.subarray(start, start + length),
        this.#what,
      );
      plain.copy(all, i * chunkBytes);
    }
    return all.subarray(0, size);
  }

  /**
   * Plaintext bytes `start`..`end` (inclusive) as a stream. Each chunk is authenticated before
   * any of its bytes are pushed; a damaged one ends the stream with a CacheIntegrityError.
   */
  stream(start = 0, end = this.size - 1): Readable {
    const last = Math.min(end, this.size - 1);
    if (this.size === 0 || last < start) return Readable.from([]);
    return Readable.from(this.#chunks(start, last), { objectMode: false });
  }

  async *#chunks(start: number, end: number): AsyncGenerator<Buffer> {
    const { chunkBytes } = this.#header;
    const scratch = Buffer.allocUnsafe(chunkBytes + TAG_BYTES);
    for (let i = Math.floor(start / chunkBytes); i * chunkBytes <= end; i++) {
      // A fresh buffer each time (decipher output), so handing out a slice of it is safe.
      const plain = await this.chunk(i, scratch);
      const from = Math.max(0, start - i * chunkBytes);
      const to = Math.min(plain.length, end - i * chunkBytes + 1);
      yield plain.subarray(from, to);
    }
  }

  close(): Promise<void> {
    return this.#handle.close();
  }
}

async function readExactly(
  handle: FileHandle,
  into: Buffer,
  position: number,
  what: string,
): Promise<void> {
  let done = 0;
  while (done < into.length) {
    const { bytesRead } = await handle.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) throw new CacheIntegrityError(what, 'it is cut short');
    done += bytesRead;
  }
}
