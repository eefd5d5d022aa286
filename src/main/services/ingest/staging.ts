// The staging store: every ingested file's bytes, copied in before anything else happens so no
// later step depends on the source still existing, and named by their SHA-256
// (<root>/ab/abcdef….pdf) so the same bytes are kept once however often they arrive.
// It only stores and deletes; what may be deleted is decided by the inbox (./inbox.ts), which
// knows who still refers to which bytes.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, mkdir, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { syncFolder, writeFileAtomic } from '../fs/atomic-file.js';
import type { StagedFile } from '../../../shared/ingest/model.js';

/** A file copied into the store's scratch folder, hashed, not yet under its final name. */
export interface Incoming {
  tempPath: string;
  sha256: string;
  size: number;
}

export type StoredName = Pick<StagedFile, 'sha256' | 'ext'>;

const STAGED_NAME = /^([0-9a-f]{64})\.([a-z0-9]{1,8})$/;
const COPY_CHUNK = 1024 * 1024;

export class StagingStore {
  private readonly tempDir: string;
  private readonly pins = new Map<string, number>();

  constructor(readonly root: string) {
    this.tempDir = path.join(root, 'tmp');
  }

  /** Creates the folders and removes scratch files a crash left behind. */
  async open(): Promise<void> {
    await rm(this.tempDir, { recursive: true, force: true });
    await mkdir(this.tempDir, { recursive: true });
  }

  pathOf(file: Pick<StagedFile, 'sha256' | 'ext'>): string {
    return path.join(this.root, file.sha256.slice(0, 2), `${file.sha256}.${file.ext}`);
  }

  /** A scratch path on the store's own filesystem, so commit() can rename instead of copy. */
  tempPath(ext = 'part'): string {
    return path.join(this.tempDir, `${randomUUID()}.${ext}`);
  }

  /** Copies `source` into scratch space, hashing it on the way (one read of the source). */
  async receive(source: string, signal?: AbortSignal): Promise<Incoming> {
    const tempPath = this.tempPath();
    const hash = createHash('sha256');
    let size = 0;
    const out = await open(tempPath, 'w');
    try {
      for await (const chunk of createReadStream(source, { highWaterMark: COPY_CHUNK, signal })) {
        const bytes = chunk as Buffer;
        hash.update(bytes);
        await writeFully(out, bytes);
        size += bytes.length;
      }
      await out.sync();
    } catch (error) {
      await out.close();
      await rm(tempPath, { force: true });
      throw error;
    }
    await out.close();
    return { tempPath, sha256: hash.digest('hex'), size };
  }

  /**
   * Moves a scratch file to its content address. If those bytes are already stored the scratch
   * copy is dropped: equal hashes mean equal bytes, and the stored file may be in use.
   */
  async commit(incoming: Incoming, ext: string): Promise<StagedFile> {
    const file: StagedFile = { sha256: incoming.sha256, ext, size: incoming.size };
    const target = this.pathOf(file);
    if (await exists(target)) {
      await rm(incoming.tempPath, { force: true });
      return file;
    }
    await mkdir(path.dirname(target), { recursive: true });
    try {
      await rename(incoming.tempPath, target);
    } catch (error) {
      // Windows refuses to rename over a file another commit of the same bytes just placed.
      if (!(await exists(target))) throw error;
      await rm(incoming.tempPath, { force: true });
      return file;
    }
    await syncFolder(path.dirname(target));
    return file;
  }

  /** Stores small derived bytes (thumbnails) directly, held for `holds` from the start. */
  async put(bytes: Uint8Array, ext: string, holds: Holds): Promise<StagedFile> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    holds.hold(sha256);
    const file: StagedFile = { sha256, ext, size: bytes.length };
    const target = this.pathOf(file);
    if (!(await exists(target))) {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFileAtomic(target, bytes);
    }
    return file;
  }

  async discard(incoming: Incoming): Promise<void> {
    await rm(incoming.tempPath, { force: true });
  }

  has(file: StoredName): Promise<boolean> {
    return exists(this.pathOf(file));
  }

  async remove(file: StoredName): Promise<void> {
    await rm(this.pathOf(file), { force: true });
    await syncFolder(path.dirname(this.pathOf(file)));
  }

  /** The stored file with this hash, whatever its extension. */
  async find(sha256: string): Promise<StoredName | undefined> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) return undefined;
    let names: string[];
    try {
      names = await readdir(path.join(this.root, sha256.slice(0, 2)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const name = names.find((n) => n.startsWith(`${sha256}.`) && STAGED_NAME.test(n));
    return name === undefined ? undefined : { sha256, ext: name.slice(65) };
  }

  /** Every stored file, for the orphan sweep. */
  async list(): Promise<StoredName[]> {
    const files: StoredName[] = [];
    for (const shard of await readdir(this.root)) {
      if (!/^[0-9a-f]{2}$/.test(shard)) continue;
      for (const name of await readdir(path.join(this.root, shard))) {
        const match = STAGED_NAME.exec(name);
        if (match === null) continue;
        files.push({ sha256: match[1]!, ext: match[2]! });
      }
    }
    return files;
  }

  /**
   * Marks bytes as in use by work that has not reached the inbox yet (a file being ingested, a
   * scan being assembled), so a concurrent clean-up leaves them alone. Returns the unpin.
   */
  pin(sha256: string): () => void {
    this.pins.set(sha256, (this.pins.get(sha256) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const count = (this.pins.get(sha256) ?? 1) - 1;
      if (count === 0) this.pins.delete(sha256);
      else this.pins.set(sha256, count);
    };
  }

  isPinned(sha256: string): boolean {
    return this.pins.has(sha256);
  }
}

/**
 * The pins one piece of work holds, released together when it ends: bytes it staged stay put
 * until the inbox item referring to them is written (or the work is abandoned).
 */
export class Holds {
  private readonly unpins: (() => void)[] = [];

  constructor(private readonly store: StagingStore) {}

  hold(sha256: string): void {
    this.unpins.push(this.store.pin(sha256));
  }

  releaseAll(): void {
    this.unpins.splice(0).forEach((unpin) => unpin());
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** FileHandle.write may write less than asked; loop until every byte is out. */
export async function writeFully(file: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await file.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}
