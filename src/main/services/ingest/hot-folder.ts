// Hot folders: folders a scanner or another program saves into. A file is taken once it has
// stopped changing — the same size and modification time over `stableChecks` checks
// `checkIntervalMs` apart — and can be opened; it is copied to staging, and the original is
// moved into processed/ (never deleted, never overwriting: a clash gets " (1)", " (2)", …).
// fs.watch notices new files quickly, but misses events on network shares and some other
// filesystems, so the folder is also listed every `rescanIntervalMs`.
// A file that is rejected stays where it is and is reported once; it is looked at again only
// if it changes (a scanner still writing after a long pause, a user replacing it).
import { constants, watch, type FSWatcher } from 'node:fs';
import { copyFile, link, mkdir, open, readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { isTempName } from '../fs/atomic-file.js';
import { ingestFile, type IngestContext } from './ingest-files.js';
import { isIgnoredName } from './walk.js';

export interface HotFolderOptions {
  dir: string;
  /** where taken files go; default <dir>/processed */
  processedDir?: string;
  checkIntervalMs?: number;
  stableChecks?: number;
  rescanIntervalMs?: number;
}

/** Names programs give files while still writing them, renamed once complete. */
const IN_PROGRESS = /\.(part|partial|tmp|temp|crdownload|download)$/i;

interface Seen {
  size: number;
  mtimeMs: number;
  /** consecutive checks that found size and mtime unchanged */
  stable: number;
}

const signature = (s: { size: number; mtimeMs: number }): string => `${s.size}:${s.mtimeMs}`;

export class HotFolder {
  readonly dir: string;
  readonly processedDir: string;
  private readonly checkIntervalMs: number;
  private readonly stableChecks: number;
  private readonly rescanIntervalMs: number;
  private readonly seen = new Map<string, Seen>();
  /** files handled but still present (rejected, or could not be moved), by signature */
  private readonly settled = new Map<string, string>();
  private readonly taking = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastRescan = 0;
  /** the check under way, if any; close() waits for it */
  private checking: Promise<void> | undefined;
  /** a watch event arrived during a check: list the folder again straight after */
  private rescanDue = false;
  private lastError: string | undefined;

  constructor(
    private readonly ctx: IngestContext,
    options: HotFolderOptions,
  ) {
    this.dir = path.resolve(options.dir);
    this.processedDir = path.resolve(options.processedDir ?? path.join(this.dir, 'processed'));
    this.checkIntervalMs = options.checkIntervalMs ?? 500;
    this.stableChecks = options.stableChecks ?? 2;
    this.rescanIntervalMs = options.rescanIntervalMs ?? 2000;
  }

  async start(): Promise<void> {
    await mkdir(this.processedDir, { recursive: true });
    try {
      this.watcher = watch(this.dir, () => void this.tick(true));
      this.watcher.on('error', (error) => this.report(`watching stopped: ${error.message}`));
    } catch (error) {
      // Listing alone still finds every file, only later.
      this.report(
        `changes cannot be watched (${(error as Error).message}); checking every ${this.rescanIntervalMs / 1000} s instead`,
      );
    }
    this.timer = setInterval(() => void this.tick(false), this.checkIntervalMs);
    await this.tick(true);
  }

  /** Stops watching and waits for files being taken to finish (or be cancelled). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.watcher?.close();
    this.abort.abort();
    await this.checking;
    await Promise.allSettled(this.taking.values());
  }

  private async tick(rescan: boolean): Promise<void> {
    if (this.abort.signal.aborted) return;
    if (this.checking !== undefined) {
      this.rescanDue ||= rescan;
      return;
    }
    this.checking = this.rescanAndCheck(rescan);
    try {
      await this.checking;
    } finally {
      this.checking = undefined;
    }
  }

  private async rescanAndCheck(rescan: boolean): Promise<void> {
    const now = Date.now();
    if (rescan || this.rescanDue || now - this.lastRescan >= this.rescanIntervalMs) {
      this.rescanDue = false;
      this.lastRescan = now;
      await this.rescan();
    }
    await this.check();
  }

  private async rescan(): Promise<void> {
    let entries;
    try {
      entries = await readdir(this.dir, { withFileTypes: true });
    } catch (error) {
      this.report(`the folder cannot be read (${errorText(error)})`);
      return;
    }
    this.lastError = undefined;
    const present = new Set<string>();
    for (const entry of entries) {
      const name = entry.name;
      if (!entry.isFile() || isIgnoredName(name) || IN_PROGRESS.test(name) || isTempName(name)) {
        continue;
      }
      present.add(name);
      if (!this.seen.has(name) && !this.taking.has(name)) {
        this.seen.set(name, { size: -1, mtimeMs: -1, stable: 0 });
      }
    }
    for (const name of this.seen.keys()) if (!present.has(name)) this.seen.delete(name);
    for (const name of this.settled.keys()) if (!present.has(name)) this.settled.delete(name);
  }

  private async check(): Promise<void> {
    for (const [name, last] of this.seen) {
      if (this.abort.signal.aborted) return;
      const file = path.join(this.dir, name);
      let info;
      try {
        info = await stat(file);
      } catch {
        // Gone (moved away by the user or the scanner's own software): nothing to take.
        this.seen.delete(name);
        continue;
      }
      if (this.settled.get(name) === signature(info)) continue;
      this.settled.delete(name);
      const unchanged = info.size === last.size && info.mtimeMs === last.mtimeMs;
      const seen = {
        size: info.size,
        mtimeMs: info.mtimeMs,
        stable: unchanged ? last.stable + 1 : 0,
      };
      this.seen.set(name, seen);
      // An empty file is a scanner that has created its output but not written it yet.
      if (seen.stable < this.stableChecks || info.size === 0 || !(await canOpen(file))) continue;
      this.seen.delete(name);
      const taking = this.take(name).finally(() => this.taking.delete(name));
      this.taking.set(name, taking);
    }
  }

  /** Never rejects: every outcome is an event. */
  private async take(name: string): Promise<void> {
    const file = path.join(this.dir, name);
    const folder = this.dir;
    try {
      const before = await stat(file);
      const result = await ingestFile(
        this.ctx,
        { path: file, name },
        'hot-folder',
        this.abort.signal,
      );
      if (result.outcome === 'rejected') {
        this.settled.set(name, signature(before));
        this.ctx.events.emit({
          type: 'hot-folder',
          folder,
          fileName: name,
          outcome: 'rejected',
          reason: result.rejection.reason,
        });
        return;
      }
      try {
        await moveWithoutOverwriting(file, this.processedDir);
      } catch (error) {
        this.settled.set(name, signature(before));
        this.report(
          `${name} was added to the inbox but could not be moved to ${this.processedDir} (${errorText(error)}); move it yourself so it is not taken again`,
        );
      }
      this.ctx.events.emit({
        type: 'hot-folder',
        folder,
        fileName: name,
        outcome: result.outcome,
        itemId: result.item.id,
      });
    } catch (error) {
      if (this.abort.signal.aborted) return;
      this.report(`${name} could not be taken (${errorText(error)}); it is left where it is`);
    }
  }

  private report(reason: string): void {
    if (reason === this.lastError) return;
    this.lastError = reason;
    this.ctx.events.emit({ type: 'hot-folder-error', folder: this.dir, reason });
  }
}

const errorText = (error: unknown): string =>
  (error as NodeJS.ErrnoException).code ?? (error as Error).message;

/**
 * Windows refuses (EBUSY) to open a file another program is still writing with exclusive
 * access; elsewhere opening succeeds and the stable size and time are what count. Other
 * failures are left to the copy, which reports them as a rejection.
 */
async function canOpen(file: string): Promise<boolean> {
  try {
    const handle = await open(file, 'r');
    await handle.close();
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'EBUSY';
  }
}

/**
 * Moves `file` into `dir` under its own name, or "name (1).ext", "name (2).ext", … if taken.
 * A hard link claims the new name atomically (it fails if the name exists); where links are not
 * possible (another drive, FAT, some shares) an exclusive copy does the same, more slowly.
 */
export async function moveWithoutOverwriting(file: string, dir: string): Promise<string> {
  const ext = path.extname(file);
  const stem = path.basename(file, ext);
  for (let n = 0; ; n++) {
    const target = path.join(dir, n === 0 ? `${stem}${ext}` : `${stem} (${n})${ext}`);
    try {
      await claim(file, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    await unlink(file);
    return target;
  }
}

async function claim(file: string, target: string): Promise<void> {
  try {
    await link(file, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw error;
    await copyFile(file, target, constants.COPYFILE_EXCL);
  }
}
