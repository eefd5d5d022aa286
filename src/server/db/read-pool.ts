// SQLite work that runs beside the API's main thread, on worker threads with connections of
// their own to the same file:
//
// - Readers run the document list. better-sqlite3 runs a statement on the thread that calls
//   it, so with the one connection the server used one core however many the machine had:
//   under load the list spent half its time inside SQLite while the second core idled. A
//   reader also joins the page's JSON and hands it over as bytes in a buffer it transfers
//   (moves, not copies) to the main thread, which sends it as the response body and, once
//   it is sent, transfers it back for the next page. The pages never become strings or
//   garbage on the main thread: copying and collecting them had cost as much as the query.
// - A checkpointer copies the write-ahead log back into the database file. SQLite does that
//   by itself inside whichever commit fills the log past its threshold, which held the main
//   thread for up to 15 ms (copying pages, then fsync) while every request waited behind it.
//   The main connection keeps a higher threshold as a backstop should this thread fall behind.
//
// WAL mode lets these connections read and checkpoint while the main one writes. A read here
// sees what was committed when it starts: a change the API has answered for is committed, so
// a client's next list shows it. Reads inside a transaction stay on the main connection.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Rows that are each one JSON value (a document as JSON text), as the UTF-8 bytes of one JSON
 * array of the first `take`, with room before and after it for the rest of the response
 * (wrapJsonArray).
 */
export interface JsonArray {
  /** `[row,…]` is bytes[start, end); at least JSON_ROOM.before bytes before it are free */
  bytes: Buffer;
  start: number;
  end: number;
  /** how many rows the query returned, `take` or fewer, or more when there is a next page */
  count: number;
  /** the last row inside the array when the query returned more than `take`, else null */
  last: string | null;
  /**
   * Gives the bytes back to the thread that wrote them, for another page. Call it only when
   * nothing will read them again: once the response that carries them has been sent. Not
   * calling it is safe; the memory is then collected like any other.
   */
  recycle(): void;
}

/** Free bytes around every JsonArray's array: enough for `{"items":` and a page cursor. */
export const JSON_ROOM = { before: 16, after: 512 };

/** Size of the buffers readers write pages into and get back; larger pages get their own. */
const PAGE_BUFFER_BYTES = 256 * 1024;
/** Buffers a reader keeps for reuse; more than that are left to the collector. */
const MAX_FREE_BUFFERS = 64;

/**
 * The JSON text `before` + array + `after` (the response body), written around the array in
 * its own buffer when they fit there, else copied into a new one (and the array recycled).
 */
export function wrapJsonArray(array: JsonArray, before: Buffer, after: string): Buffer {
  const afterBytes = Buffer.byteLength(after);
  if (before.length <= array.start && array.end + afterBytes <= array.bytes.length) {
    before.copy(array.bytes, array.start - before.length);
    array.bytes.write(after, array.end);
    return array.bytes.subarray(array.start - before.length, array.end + afterBytes);
  }
  const body = Buffer.concat([
    before,
    array.bytes.subarray(array.start, array.end),
    Buffer.from(after),
  ]);
  array.recycle();
  return body;
}

/** What `PRAGMA wal_checkpoint` reports: frames in the log and how many reached the file. */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

export interface ReadPoolOptions {
  /** reader threads (at least 1) */
  readers: number;
  /** how often the checkpointer copies the log into the file, in ms */
  checkpointIntervalMs?: number;
}

/** Where the checkpointer runs by default: a few MB of log at the API's busiest. */
const CHECKPOINT_INTERVAL_MS = 250;

/**
 * Pages of log at which the main connection checkpoints by itself, if the checkpointer has
 * not (SQLite's default is 1,000). About 16 MB.
 */
export const BACKSTOP_CHECKPOINT_PAGES = 4000;

/**
 * The workers' whole program, as plain JavaScript so that it runs the same under tsx, vitest
 * and a built server. A reader accepts only statements that read; it answers each message
 * with the first column of every row, joined into one JSON array of the first `take`.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const { file, role } = workerData;
const open = (options) => {
  try {
    return new SQLite(file, { ...options, fileMustExist: true });
  } catch (error) {
    throw new Error('cannot open ' + file + ': ' + error.message);
  }
};
if (role === 'checkpointer') {
  const db = open({});
  db.pragma('busy_timeout = 5000');
  db.pragma('wal_autocheckpoint = 0');
  const checkpoint = (id) => {
    try {
      const [result] = db.pragma('wal_checkpoint(PASSIVE)');
      parentPort.postMessage({ id, result });
    } catch (error) {
      parentPort.postMessage({ id, error: { message: error.message, code: error.code } });
    }
  };
  setInterval(() => checkpoint(0), workerData.intervalMs);
  parentPort.on('message', ({ id }) => checkpoint(id));
} else {
  const db = open({ readonly: true });
  db.pragma('busy_timeout = 5000');
  const statements = new Map();
  const encoder = new TextEncoder();
  const { pageBytes, maxFree, before, after } = workerData;
  const free = [];
  parentPort.on('message', ({ id, sql, parameters, take, recycled }) => {
    if (recycled) {
      if (free.length < maxFree && recycled.byteLength === pageBytes) free.push(recycled);
      return;
    }
    try {
      let statement = statements.get(sql);
      if (!statement) {
        statement = db.prepare(sql);
        if (!statement.reader || !statement.readonly) {
          throw new Error('a database reader only runs statements that read');
        }
        statement.pluck();
        if (statements.size >= 200) statements.delete(statements.keys().next().value);
        statements.set(sql, statement);
      }
      const rows = statement.all(parameters);
      const shown = rows.length > take ? rows.slice(0, take) : rows;
      const json = '[' + shown.join(',') + ']';
      // UTF-8 takes at most three bytes per UTF-16 unit.
      const most = before + 3 * json.length + after;
      const buffer = most <= pageBytes ? (free.pop() ?? new ArrayBuffer(pageBytes)) : new ArrayBuffer(most);
      const { written } = encoder.encodeInto(json, new Uint8Array(buffer, before));
      const last = rows.length > take && take > 0 ? rows[take - 1] : null;
      parentPort.postMessage({ id, buffer, end: before + written, count: rows.length, last }, [buffer]);
    } catch (error) {
      parentPort.postMessage({ id, error: { message: error.message, code: error.code } });
    }
  });
}
`;

interface Answer {
  id: number;
  error?: { message: string; code?: string };
  [key: string]: unknown;
}

/** One worker thread and the questions it has yet to answer. */
class Thread {
  private worker: Worker | undefined;
  private readonly pending = new Map<
    number,
    { resolve(a: Answer): void; reject(e: Error): void }
  >();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly workerData: Record<string, unknown>,
    private readonly onAnswer: (answer: Answer) => void = () => undefined,
  ) {
    this.worker = this.start();
  }

  get load(): number {
    return this.pending.size;
  }

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: this.workerData });
    worker.on('message', (answer: Answer) => {
      const waiting = this.pending.get(answer.id);
      if (!waiting) return this.onAnswer(answer);
      this.pending.delete(answer.id);
      if (this.pending.size === 0) worker.unref();
      if (answer.error) {
        waiting.reject(Object.assign(new Error(answer.error.message), { code: answer.error.code }));
      } else {
        waiting.resolve(answer);
      }
    });
    // A thread that fails (it could not open the file, say) fails what it was asked; the
    // next question starts a new one.
    let failure: Error | undefined;
    worker.on('error', (error) => (failure = error));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      if (this.closed) return;
      const error = new Error(
        `A database ${String(this.workerData.role)} thread stopped` +
          (failure ? `: ${failure.message}` : ` (exit code ${code})`),
      );
      console.error(error.message);
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    });
    // An idle thread does not keep the process alive; one with questions pending does.
    worker.unref();
    return worker;
  }

  ask(message: Record<string, unknown>): Promise<Answer> {
    if (this.closed) return Promise.reject(new Error('the database threads are closed'));
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) worker.ref();
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...message, id });
    });
  }

  /**
   * Moves `buffer` back to the thread (it becomes unusable here). Dropped when that thread
   * has stopped since it wrote the buffer: its successor allocates its own.
   */
  giveBack(buffer: ArrayBuffer): void {
    if (this.closed || !this.worker || buffer.byteLength === 0) return;
    this.worker.postMessage({ recycled: buffer }, [buffer]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.worker?.terminate();
  }
}

/** Reader threads and a checkpointer, each with its own connection to one SQLite file. */
export class SqliteReadPool {
  private readonly readers: Thread[];
  private readonly checkpointer: Thread;
  private readonly checkpointListeners = new Set<(result: CheckpointResult) => void>();

  constructor(file: string, options: ReadPoolOptions) {
    if (!(options.readers >= 1)) throw new Error('a read pool needs at least one reader');
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.readers = Array.from(
      { length: options.readers },
      () =>
        new Thread({
          file,
          driver,
          role: 'reader',
          pageBytes: PAGE_BUFFER_BYTES,
          maxFree: MAX_FREE_BUFFERS,
          ...JSON_ROOM,
        }),
    );
    this.checkpointer = new Thread(
      {
        file,
        driver,
        role: 'checkpointer',
        intervalMs: options.checkpointIntervalMs ?? CHECKPOINT_INTERVAL_MS,
      },
      (answer) => {
        if (!answer.result) return; // a failed timed checkpoint: the next one tries again
        for (const listener of this.checkpointListeners)
          listener(answer.result as CheckpointResult);
      },
    );
  }

  /**
   * Runs `sql`, whose rows each have one column holding a JSON value, on the least busy
   * reader, and returns the first `take` of them as one JSON array.
   */
  async jsonArray(sql: string, parameters: readonly unknown[], take: number): Promise<JsonArray> {
    let reader = this.readers[0]!;
    for (const r of this.readers) if (r.load < reader.load) reader = r;
    const answer = await reader.ask({ sql, parameters, take });
    const buffer = answer.buffer as ArrayBuffer;
    let recycled = false;
    return {
      bytes: Buffer.from(buffer),
      start: JSON_ROOM.before,
      end: answer.end as number,
      count: answer.count as number,
      last: answer.last as string | null,
      recycle: () => {
        if (recycled) return;
        recycled = true;
        reader.giveBack(buffer);
      },
    };
  }

  /** Checkpoints now (the checkpointer also does so on its own, every interval). */
  async checkpoint(): Promise<CheckpointResult> {
    return (await this.checkpointer.ask({})).result as CheckpointResult;
  }

  /** Hears every timed checkpoint that completed; returns the function that stops it. */
  onCheckpoint(listener: (result: CheckpointResult) => void): () => void {
    this.checkpointListeners.add(listener);
    return () => this.checkpointListeners.delete(listener);
  }

  async close(): Promise<void> {
    await Promise.all([...this.readers, this.checkpointer].map((t) => t.close()));
  }
}

/** What jsonArray does, for rows already read on this thread (PostgreSQL, or no readers). */
export function joinJsonRows(rows: readonly string[], take: number): JsonArray {
  const shown = rows.length > take ? rows.slice(0, take) : rows;
  const json = `[${shown.join(',')}]`;
  const bytes = Buffer.allocUnsafe(JSON_ROOM.before + Buffer.byteLength(json) + JSON_ROOM.after);
  const end = JSON_ROOM.before + bytes.write(json, JSON_ROOM.before);
  return {
    bytes,
    start: JSON_ROOM.before,
    end,
    count: rows.length,
    last: rows.length > take && take > 0 ? rows[take - 1]! : null,
    recycle: () => undefined,
  };
}
