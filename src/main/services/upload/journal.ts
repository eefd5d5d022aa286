// The upload queue's durable record: an append-only journal of JSON lines. Each append is on
// disk (fdatasync) before the caller goes on, and appends made meanwhile share one flush. The
// journal is rewritten whole — temporary file, fsync, rename, fsync of the directory — when it
// is opened and whenever it grows past a limit, so it stays small. A crash can tear only the
// line being written, the last one; reading drops it.
import { open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { syncFolder } from '../fs/atomic-file.js';

/** A line other than the last cannot be read: the file was damaged, not torn by a crash. */
export class JournalDamagedError extends Error {
  override name = 'JournalDamagedError';
  constructor(
    readonly file: string,
    readonly line: number,
    reason: string,
  ) {
    super(
      `The upload queue ${file} is damaged at line ${line} (${reason}). Move the file aside to start with an empty queue; staged files are kept.`,
    );
  }
}

/** Writing the journal failed; what was queued before is still on disk. */
export class JournalWriteError extends Error {
  override name = 'JournalWriteError';
  constructor(file: string, cause: unknown) {
    super(`The upload queue ${file} could not be written (${(cause as Error).message}).`, {
      cause,
    });
  }
}

export interface JournalOptions<R> {
  /** Records equal to everything appended so far; the journal is rewritten from them. */
  snapshot: () => R[];
  /** Rewrite once appends since the last rewrite pass this many bytes. */
  rewriteAfterBytes?: number;
}

interface Pending {
  line: string;
  resolve: () => void;
  reject: (err: Error) => void;
}

const DEFAULT_REWRITE_BYTES = 1024 * 1024;

export class Journal<R> {
  #handle: FileHandle | null = null;
  #pending: Pending[] = [];
  #rewriteWanted = false;
  #work: Promise<void> | null = null;
  #appendedBytes = 0;

  private constructor(
    readonly file: string,
    private readonly options: JournalOptions<R>,
  ) {}

  /** Reads the records in `file` (none when it does not exist) and opens it for appending. */
  static async open<R>(
    file: string,
    options: JournalOptions<R>,
  ): Promise<{ journal: Journal<R>; records: R[] }> {
    const { records, soundBytes } = await readRecords<R>(file);
    const journal = new Journal<R>(file, options);
    journal.#handle = await open(file, 'a');
    // Cut a torn tail off, so the next append starts on a line of its own.
    if ((await journal.#handle.stat()).size > soundBytes)
      await journal.#handle.truncate(soundBytes);
    return { journal, records };
  }

  /** Resolves once the record is on disk. */
  append(record: R): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ line: `${JSON.stringify(record)}\n`, resolve, reject });
      this.#kick();
    });
  }

  /** Replaces the journal with the snapshot; resolves once the new file is in place. */
  rewrite(): Promise<void> {
    this.#rewriteWanted = true;
    this.#kick();
    return this.#work ?? Promise.resolve();
  }

  /** Writes what is pending and closes the file. */
  async close(): Promise<void> {
    while (this.#work) await this.#work;
    await this.#handle?.close();
    this.#handle = null;
  }

  #kick(): void {
    if (this.#work) return;
    this.#work = this.#drain().finally(() => {
      this.#work = null;
      if (this.#pending.length > 0 || this.#rewriteWanted) this.#kick();
    });
  }

  async #drain(): Promise<void> {
    while (this.#pending.length > 0 || this.#rewriteWanted) {
      const batch = this.#pending.splice(0);
      try {
        if (this.#rewriteWanted) {
          // The snapshot already holds what the pending records say: callers change their
          // state before they append the record of the change.
          this.#rewriteWanted = false;
          await this.#replace();
        } else {
          await this.#handle!.appendFile(batch.map((p) => p.line).join(''));
          await this.#handle!.datasync();
          this.#appendedBytes += batch.reduce((n, p) => n + p.line.length, 0);
          if (this.#appendedBytes > (this.options.rewriteAfterBytes ?? DEFAULT_REWRITE_BYTES)) {
            this.#rewriteWanted = true;
          }
        }
        for (const p of batch) p.resolve();
      } catch (err) {
        const error = new JournalWriteError(this.file, err);
        for (const p of batch) p.reject(error);
      }
    }
  }

  async #replace(): Promise<void> {
    const temp = `${this.file}.tmp`;
    const text = this.options
      .snapshot()
      .map((r) => `${JSON.stringify(r)}\n`)
      .join('');
    const out = await open(temp, 'w');
    try {
      await out.writeFile(text);
      await out.sync();
    } finally {
      await out.close();
    }
    // Closed before the rename: Windows does not replace a file that is open.
    await this.#handle?.close();
    this.#handle = null;
    try {
      await rename(temp, this.file);
      await syncFolder(path.dirname(this.file));
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    } finally {
      this.#handle = await open(this.file, 'a');
    }
    this.#appendedBytes = 0;
  }
}

async function readRecords<R>(file: string): Promise<{ records: R[]; soundBytes: number }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], soundBytes: 0 };
    throw err;
  }
  const records: R[] = [];
  let start = 0;
  let line = 0;
  while (start < bytes.length) {
    line++;
    const end = bytes.indexOf(0x0a, start);
    // A crash mid-write leaves a partial last line (after a power cut, maybe zero bytes).
    if (end === -1) break;
    const text = bytes.toString('utf8', start, end);
    if (text.replaceAll('\0', '').trim() !== '') {
      try {
        records.push(JSON.parse(text) as R);
      } catch (err) {
        const rest = bytes.subarray(end + 1);
        if (rest.every((b) => b === 0 || b === 0x0a)) break;
        throw new JournalDamagedError(file, line, (err as Error).message);
      }
    }
    start = end + 1;
  }
  return { records, soundBytes: start };
}
