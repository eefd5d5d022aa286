// The local-disk backend: objects under DATA_DIR/objects, multipart uploads under
// DATA_DIR/uploads, and HMAC-signed URLs to this API's own part and file endpoints
// (routes/storage-local.ts) standing in for S3's presigned URLs.
import { createHash, randomUUID } from 'node:crypto';
import {
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  type FileHandle,
} from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { assertSafeKey } from './keys.js';
import {
  InvalidPartError,
  ObjectNotFoundError,
  UploadNotFoundError,
  type ByteRange,
  type FileStorage,
  type ObjectInfo,
  type PartInfo,
  type SignedDownload,
} from './types.js';
import type { DownloadClaims, PartClaims, UrlSigner, Verification } from './url-signer.js';

/** Files being written start with this; keys cannot (their segments start alphanumeric). */
const TEMP_PREFIX = '.tmp-';
const UPLOAD_META = 'upload.json';
/** A part is stored as `{number, 5 digits}.{md5 hex}`: one rename publishes bytes and ETag. */
const PART_FILE = /^(\d{5})\.([0-9a-f]{32})$/;
const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Large reads keep big downloads fast: fewer syscalls and event-loop turns per gigabyte. */
const READ_CHUNK_BYTES = 4 * 1024 * 1024;
export const MAX_PART_NUMBER = 10_000;

/** A part sent to the part endpoint is bigger than the endpoint accepts. */
export class PartTooLargeError extends Error {
  override name = 'PartTooLargeError';
  constructor(
    readonly partNumber: number,
    readonly maxBytes: number,
  ) {
    super(
      `Part ${partNumber} is larger than the ${maxBytes}-byte part limit; send the file in smaller parts.`,
    );
  }
}

export interface LocalStorageOptions {
  /** DATA_DIR/objects */
  root: string;
  /** DATA_DIR/uploads */
  partsDir: string;
  /** Public base URL of this API, read when a URL is signed (the port may be known late). */
  baseUrl: () => string;
  signer: UrlSigner;
}

export class LocalStorage implements FileStorage {
  readonly type = 'local' as const;
  readonly #root: string;
  readonly #partsDir: string;
  readonly #baseUrl: () => string;
  readonly #signer: UrlSigner;

  constructor(o: LocalStorageOptions) {
    this.#root = path.resolve(o.root);
    this.#partsDir = path.resolve(o.partsDir);
    this.#baseUrl = o.baseUrl;
    this.#signer = o.signer;
  }

  /** The content type is not kept: downloads take theirs from the document record. */
  async putObject(
    key: string,
    body: Readable | Buffer,
    options: { contentType: string; size?: number },
  ): Promise<void> {
    const target = this.#objectPath(key);
    await mkdir(path.dirname(target), { recursive: true });
    const { temp, size } = await writeTemp(path.dirname(target), body);
    if (options.size !== undefined && size !== options.size) {
      await rm(temp, { force: true });
      throw new Error(
        `Storing ${key} failed: ${size} bytes arrived where ${options.size} were announced; send the file again.`,
      );
    }
    await renameOrDiscard(temp, target);
  }

  async readObject(key: string, range?: ByteRange): Promise<Readable> {
    const file = this.#objectPath(key);
    const handle = await open(file, 'r').catch((err: NodeJS.ErrnoException) => {
      throw isMissing(err) ? new ObjectNotFoundError(key) : err;
    });
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new ObjectNotFoundError(key);
      if (range) assertRangeInside(range, info.size, key);
    } catch (err) {
      await handle.close();
      throw err;
    }
    return handle.createReadStream({
      start: range?.start,
      end: range?.end,
      highWaterMark: READ_CHUNK_BYTES,
    });
  }

  async headObject(key: string): Promise<ObjectInfo | null> {
    const info = await stat(this.#objectPath(key)).catch((err: NodeJS.ErrnoException) => {
      if (isMissing(err)) return null;
      throw err;
    });
    if (!info?.isFile()) return null;
    return { key, size: info.size, lastModified: info.mtime };
  }

  async deleteObject(key: string): Promise<void> {
    await rm(this.#objectPath(key), { force: true });
  }

  /** Walks the objects directory in the same order S3 lists keys (byte order of the key). */
  async *listObjects(prefix = ''): AsyncIterable<ObjectInfo> {
    const dirKey = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    if (dirKey) assertSafeKey(dirKey.slice(0, -1));
    yield* this.#walk(dirKey, prefix);
  }

  async createMultipartUpload(key: string, _contentType: string): Promise<string> {
    assertSafeKey(key);
    const uploadId = randomUUID();
    const dir = path.join(this.#partsDir, uploadId);
    await mkdir(dir, { recursive: true });
    await writeAtomically(path.join(dir, UPLOAD_META), Buffer.from(JSON.stringify({ key })));
    return uploadId;
  }

  async signUploadPart(args: {
    key: string;
    uploadId: string;
    partNumber: number;
    expiresInSeconds: number;
  }): Promise<string> {
    assertSafeKey(args.key);
    assertPartNumber(args.partNumber);
    if (!UPLOAD_ID.test(args.uploadId)) throw new UploadNotFoundError(args.uploadId);
    const claims: PartClaims = {
      purpose: 'upload-part',
      key: args.key,
      expires: this.#signer.expiryIn(args.expiresInSeconds),
      uploadId: args.uploadId,
      partNumber: args.partNumber,
    };
    const url = new URL(`${this.#baseUrl()}/storage/parts/${args.uploadId}/${args.partNumber}`);
    url.searchParams.set('key', claims.key);
    url.searchParams.set('exp', String(claims.expires));
    url.searchParams.set('sig', this.#signer.sign(claims));
    return url.toString();
  }

  verifyPartUrl(claims: Omit<PartClaims, 'purpose'>, signature: string): Verification {
    return this.#signer.verify({ purpose: 'upload-part', ...claims }, signature);
  }

  /**
   * Stores one part from a signed PUT. A part sent again replaces the earlier one once it has
   * fully arrived; an interrupted re-send leaves the earlier one in place.
   */
  async receivePart(
    args: { key: string; uploadId: string; partNumber: number; maxBytes: number },
    body: Readable,
  ): Promise<PartInfo> {
    assertPartNumber(args.partNumber);
    const dir = await this.#uploadDir(args.key, args.uploadId);
    const md5 = createHash('md5');
    const { temp, size } = await writeTemp(dir, observed(body, args, md5));
    const hex = md5.digest('hex');
    const name = partFileName(args.partNumber, hex);
    await renameOrDiscard(temp, path.join(dir, name));
    await this.#dropOtherVersions(dir, args.partNumber, name);
    return { partNumber: args.partNumber, etag: `"${hex}"`, size };
  }

  async listParts(key: string, uploadId: string): Promise<PartInfo[]> {
    const dir = await this.#uploadDir(key, uploadId);
    const parts = new Map<number, PartInfo>();
    for (const name of (await readdir(dir)).sort()) {
      const match = PART_FILE.exec(name);
      if (!match) continue;
      const { size } = await stat(path.join(dir, name));
      // Two versions exist only between a re-send's rename and its clean-up; either is whole.
      parts.set(Number(match[1]), { partNumber: Number(match[1]), etag: `"${match[2]}"`, size });
    }
    return [...parts.values()];
  }

  async completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: { partNumber: number; etag: string }[],
  ): Promise<void> {
    const dir = await this.#uploadDir(key, uploadId);
    const files = await partFilesInOrder(dir, parts);
    const target = this.#objectPath(key);
    await mkdir(path.dirname(target), { recursive: true });
    await writeAtomically(target, concatenate(files));
    await rm(dir, { recursive: true, force: true });
  }

  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    try {
      await rm(await this.#uploadDir(key, uploadId), { recursive: true, force: true });
    } catch (err) {
      if (!(err instanceof UploadNotFoundError)) throw err;
    }
  }

  async signDownload(args: SignedDownload): Promise<string> {
    assertSafeKey(args.key);
    const claims: DownloadClaims = {
      purpose: 'download',
      key: args.key,
      expires: this.#signer.expiryIn(args.expiresInSeconds),
      documentId: args.documentId,
      disposition: args.disposition,
    };
    const url = new URL(`${this.#baseUrl()}/files/${args.key}`);
    url.searchParams.set('exp', String(claims.expires));
    url.searchParams.set('doc', claims.documentId);
    url.searchParams.set('disp', claims.disposition);
    url.searchParams.set('sig', this.#signer.sign(claims));
    return url.toString();
  }

  verifyDownloadUrl(claims: Omit<DownloadClaims, 'purpose'>, signature: string): Verification {
    return this.#signer.verify({ purpose: 'download', ...claims }, signature);
  }

  #objectPath(key: string): string {
    assertSafeKey(key);
    return path.join(this.#root, ...key.split('/'));
  }

  /** The upload's directory, after checking it exists and belongs to `key`. */
  async #uploadDir(key: string, uploadId: string): Promise<string> {
    assertSafeKey(key);
    if (!UPLOAD_ID.test(uploadId)) throw new UploadNotFoundError(uploadId);
    const dir = path.join(this.#partsDir, uploadId);
    const meta = await readFile(path.join(dir, UPLOAD_META), 'utf8').catch(
      (err: NodeJS.ErrnoException) => {
        if (isMissing(err)) throw new UploadNotFoundError(uploadId);
        throw err;
      },
    );
    if ((JSON.parse(meta) as { key: string }).key !== key) throw new UploadNotFoundError(uploadId);
    return dir;
  }

  async #dropOtherVersions(dir: string, partNumber: number, keep: string): Promise<void> {
    const prefix = partFileName(partNumber, '');
    for (const name of await readdir(dir)) {
      if (name !== keep && name.startsWith(prefix) && PART_FILE.test(name)) {
        await rm(path.join(dir, name), { force: true });
      }
    }
  }

  async *#walk(dirKey: string, prefix: string): AsyncIterable<ObjectInfo> {
    const dir = path.join(this.#root, ...dirKey.split('/').filter(Boolean));
    const entries = await readdir(dir, { withFileTypes: true }).catch(
      (err: NodeJS.ErrnoException) => {
        if (isMissing(err)) return [];
        throw err;
      },
    );
    // A directory sorts as "name/" so that "a-b" comes before "a/x", as in S3's listing.
    const named = entries
      .filter((e) => !e.name.startsWith('.') && (e.isDirectory() || e.isFile()))
      .map((e) => ({ entry: e, key: dirKey + e.name + (e.isDirectory() ? '/' : '') }))
      .filter(({ key }) => key.startsWith(prefix) || prefix.startsWith(key))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const { entry, key } of named) {
      if (entry.isDirectory()) {
        yield* this.#walk(key, prefix);
      } else if (key.startsWith(prefix)) {
        const info = await stat(path.join(dir, entry.name));
        yield { key, size: info.size, lastModified: info.mtime };
      }
    }
  }
}

/**
 * Writes `source` to `target` through a temporary file beside it, flushed to disk before the
 * rename, so a reader sees the old file or the whole new one, never a part. Returns the size.
 */
async function writeAtomically(
  target: string,
  source: Buffer | AsyncIterable<Buffer>,
): Promise<number> {
  const { temp, size } = await writeTemp(path.dirname(target), source);
  await renameOrDiscard(temp, target);
  return size;
}

/** Writes `source` to a new temporary file in `dir` and flushes it; the caller renames it. */
async function writeTemp(
  dir: string,
  source: Readable | Buffer | AsyncIterable<Buffer>,
): Promise<{ temp: string; size: number }> {
  const temp = path.join(dir, `${TEMP_PREFIX}${randomUUID()}`);
  const handle = await open(temp, 'wx');
  let size = 0;
  try {
    if (Buffer.isBuffer(source)) {
      await handle.writeFile(source);
      size = source.length;
    } else {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        await writeAll(handle, chunk);
        size += chunk.length;
      }
    }
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  return { temp, size };
}

async function renameOrDiscard(temp: string, target: string): Promise<void> {
  try {
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

async function writeAll(handle: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset);
    offset += bytesWritten;
  }
}

/** Passes a part's bytes through while hashing them and holding them to the size limit. */
async function* observed(
  body: Readable,
  part: { partNumber: number; maxBytes: number },
  md5: ReturnType<typeof createHash>,
): AsyncIterable<Buffer> {
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > part.maxBytes) throw new PartTooLargeError(part.partNumber, part.maxBytes);
    md5.update(chunk);
    yield chunk;
  }
}

async function* concatenate(files: string[]): AsyncIterable<Buffer> {
  for (const file of files) {
    const handle = await open(file, 'r');
    yield* handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES }) as AsyncIterable<Buffer>;
  }
}

/** The stored file of each listed part, in ascending part order, checked against its ETag. */
async function partFilesInOrder(
  dir: string,
  parts: { partNumber: number; etag: string }[],
): Promise<string[]> {
  if (parts.length === 0) throw new InvalidPartError(null, 'a completion needs at least one part');
  const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
  const files: string[] = [];
  for (const [i, part] of sorted.entries()) {
    assertPartNumber(part.partNumber);
    if (sorted[i - 1]?.partNumber === part.partNumber) {
      throw new InvalidPartError(part.partNumber, 'it is listed twice');
    }
    const etag = part.etag.replaceAll('"', '');
    const file = path.join(dir, partFileName(part.partNumber, etag));
    if (!/^[0-9a-f]{32}$/.test(etag) || !(await isFile(file))) {
      throw new InvalidPartError(
        part.partNumber,
        `no part with ETag ${part.etag} is stored (it was never received or was replaced)`,
      );
    }
    files.push(file);
  }
  return files;
}

function partFileName(partNumber: number, md5Hex: string): string {
  return `${String(partNumber).padStart(5, '0')}.${md5Hex}`;
}

function assertPartNumber(partNumber: number): void {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
    throw new RangeError(`Part number ${partNumber} is outside 1–${MAX_PART_NUMBER}.`);
  }
}

function assertRangeInside(range: ByteRange, size: number, key: string): void {
  if (range.start < 0 || range.start > range.end || range.end >= size) {
    throw new RangeError(
      `Bytes ${range.start}–${range.end} are outside ${key}, which holds ${size} bytes.`,
    );
  }
}

async function isFile(file: string): Promise<boolean> {
  const info = await stat(file).catch((err: NodeJS.ErrnoException) => {
    if (isMissing(err)) return null;
    throw err;
  });
  return info?.isFile() ?? false;
}

function isMissing(err: NodeJS.ErrnoException): boolean {
  return err.code === 'ENOENT' || err.code === 'ENOTDIR';
}
