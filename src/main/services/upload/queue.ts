// The upload engine and its durable offline queue. Files go up through the API's resumable
// protocol (create, sign, PUT parts, complete; batches commit whole), several parts in flight
// across files. Every step that matters after a crash is in the journal before the network call
// it guards, so a restarted queue goes on where it stopped and sends only what is missing; the
// client-made upload id makes every repeated call land on the same upload and document.
import { randomUUID } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { BatchResult, SignedParts, UploadState } from '../../../shared/api/schemas.js';
import type { z } from 'zod';
import { ApiProblemError, OfflineError, type ApiHttp, type RequestOptions } from '../api/http.js';
import { Journal } from './journal.js';
import { PartNetworkError, putPart, StagedFileError, type PartAnswer } from './put-part.js';
import type {
  ItemError,
  ItemProgress,
  ItemState,
  QueueEvent,
  QueueItem,
  QueueSummary,
} from './types.js';

export type { ItemError, ItemProgress, ItemState, QueueEvent, QueueItem, QueueSummary };

export interface UploadQueueOptions {
  /** the queue's own directory; its journal lives there */
  dir: string;
  /** API calls (createApiHttp); its token provider decides who uploads */
  api: ApiHttp;
  /**
   * Removes the staged copy once the server confirmed the document, or after the user
   * cancelled. Called again for the same item if the app stopped before it was recorded, so it
   * must accept a copy that is already gone.
   */
  releaseStaged: (entry: { id: string; item: QueueItem }) => Promise<void>;
  /** parts in flight across all files (default 4) */
  concurrency?: number;
  /** a part that moves no byte, or gets no answer, for this long is sent again (default 30 s) */
  stallTimeoutMs?: number;
  /** first wait before a retry (default 500 ms); it doubles per failure, with jitter */
  retryDelayMs?: number;
  /** longest wait between retries while offline (default 30 s) */
  maxRetryDelayMs?: number;
  /** progress events per item and second at most (default 10) */
  maxEventsPerSecond?: number;
  now?: () => number;
  random?: () => number;
}

export interface UploadQueue {
  /** Reads the journal and goes on with what it holds. */
  start(): Promise<void>;
  /** Stops every transfer and closes the journal; what is unfinished goes on at the next start. */
  stop(): Promise<void>;
  /**
   * Queues files; with a batchId they become documents together or not at all. Resolves once
   * the queue has them on disk.
   */
  enqueue(items: QueueItem[], options?: { batchId?: string }): Promise<ItemProgress[]>;
  list(): ItemProgress[];
  /**
   * Whether an item still needs the staged bytes with this SHA-256: true until the server
   * confirmed its document or the user cancelled it (failed items keep theirs, to be retried).
   * Staging asks this before it deletes bytes; it is already false while releaseStaged runs.
   */
  holdsStaged(sha256: string): boolean;
  /** Listens to item and summary events; returns the function that stops listening. */
  subscribe(listener: (event: QueueEvent) => void): () => void;
  /** Pauses one item, or every unfinished one; paused items stay paused across restarts. */
  pause(id?: string): Promise<void>;
  /**
   * Resumes one paused item (a failed one is tried again, with the failed files of its batch),
   * or, without an id, every paused item; also ends any wait for network or sign-in.
   */
  resume(id?: string): Promise<void>;
  /**
   * Cancels one item (with the rest of its batch, which is saved whole or not at all) or every
   * item: transfers stop, the server drops the upload and the staged copy is released. Removes
   * finished items from the list. Items already being committed are left to finish.
   */
  cancel(id?: string): Promise<void>;
  /**
   * Tries failed items again as new uploads: one (with the failed files of its batch, which is
   * saved whole or not at all), or, without an id, every failed item. Items that stopped on an
   * error the queue could not get past on its own go on too.
   */
  retry(id?: string): Promise<void>;
  /**
   * Changes how many parts may be in flight across all files (the settings' upload
   * concurrency). More start at once; with fewer, parts under way finish and no new ones start
   * until the count is below the new limit.
   */
  setConcurrency(concurrency: number): void;
  /** The network may be back: retry now instead of at the end of the current wait. */
  networkChanged(): void;
  /** A token may be available again: items waiting for sign-in go on. */
  tokenChanged(): void;
}

type Phase =
  /** parts or completion still to do */
  | 'sending'
  /** complete on the server; its batch is not committed yet */
  | 'uploaded'
  /** refused for good before its batch was committed */
  | 'rejected'
  | 'done'
  | 'failed'
  /** the server still has to drop the upload and the staged copy to be released */
  | 'cancelled';

/** What the journal keeps of an item. */
interface Stored {
  id: string;
  uploadId: string;
  batchId: string | null;
  item: QueueItem;
  phase: Phase;
  paused: boolean;
  partSize: number | null;
  /** ETag of each part the storage confirmed, by part number */
  parts: Record<string, string>;
  documentId: string | null;
  error: ItemError | null;
  released: boolean;
}

type JournalRecord =
  | { op: 'add'; entries: Stored[] }
  | { op: 'set'; changes: ({ id: string } & Partial<Stored>)[] }
  | { op: 'part'; id: string; partNumber: number; etag: string }
  | { op: 'drop'; id: string };

interface Entry {
  data: Stored;
  /** the driver or canceller working on it, with the means to stop it */
  task: { controller: AbortController; done: Promise<void> } | null;
  stage: 'idle' | 'sending' | 'completing';
  /** sleeping before a retry after a network failure */
  waitingForNetwork: boolean;
  /** part PUTs answered "no such upload" since the last part that arrived */
  sessionLosses: number;
  /** bytes handed to the network per part in flight */
  inflight: Map<number, number>;
  urls: Map<number, { url: string; expiresAt: number }>;
  signing: Map<number, Promise<void>>;
  meter: { rate: number; bytes: number; at: number };
  lastEmitAt: number;
  lastState: ItemState | null;
  emitTimer: NodeJS.Timeout | null;
  /**
   * Set when work on the item broke on something the queue cannot retry by itself (its journal
   * cannot be written); the item waits for resume() or the next start.
   */
  halted: ItemError | null;
}

/** Why a transfer was stopped on purpose; never reported as a failure. */
class Interrupted extends Error {
  override name = 'Interrupted';
}

/** Worth trying again after a wait (server busy, upload being checked, parts to resend). */
class RetryLater extends Error {
  override name = 'RetryLater';
}

/** The server or storage refused the file for good. */
class Refused extends Error {
  override name = 'Refused';
  constructor(readonly error: ItemError) {
    super(error.message);
  }
}

const DEFAULTS = {
  concurrency: 4,
  stallTimeoutMs: 30_000,
  retryDelayMs: 500,
  maxRetryDelayMs: 30_000,
  maxEventsPerSecond: 10,
};
/** Parts signed per call: enough to keep parts in flight, few enough to use before expiry. */
const SIGN_AHEAD = 16;
/** A URL this close to its expiry is signed again before use. */
const URL_MARGIN_MS = 60_000;
/** Refusals of one step in a row before the item fails: the server means it. */
const MAX_REFUSALS = 5;
const RATE_WINDOW_MS = 3_000;

export function createUploadQueue(options: UploadQueueOptions): UploadQueue {
  return new Queue(options);
}

class Queue implements UploadQueue {
  readonly #o: Required<Omit<UploadQueueOptions, 'now' | 'random'>> & {
    now: () => number;
    random: () => number;
  };
  readonly #file: string;
  #journal: Journal<JournalRecord> | null = null;
  #entries = new Map<string, Entry>();
  #batchTasks = new Map<string, { controller: AbortController; done: Promise<void> }>();
  #listeners = new Set<(event: QueueEvent) => void>();
  #slots: Slots;
  #agents = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true }),
  };
  #running = false;
  #online = true;
  #signedIn = true;
  /** wakes every retry wait early; bumped by networkChanged, tokenChanged and resume */
  #wakers = new Set<() => void>();
  #generation = 0;
  #lastSummary = '';

  constructor(options: UploadQueueOptions) {
    this.#o = {
      ...DEFAULTS,
      ...options,
      now: options.now ?? Date.now,
      random: options.random ?? Math.random,
    };
    this.#file = path.join(options.dir, 'queue.journal');
    this.#slots = new Slots(this.#o.concurrency);
  }

  async start(): Promise<void> {
    if (this.#running) return;
    await mkdir(this.#o.dir, { recursive: true });
    const { journal, records } = await Journal.open<JournalRecord>(this.#file, {
      snapshot: () => [{ op: 'add', entries: [...this.#entries.values()].map((e) => e.data) }],
    });
    this.#journal = journal;
    this.#entries.clear();
    for (const record of records) this.#replay(record);
    // Documents confirmed and released before the last stop have nothing left to do.
    for (const [id, e] of this.#entries) {
      if (e.data.phase === 'done' && e.data.released) this.#entries.delete(id);
    }
    await journal.rewrite();
    this.#running = true;
    for (const e of this.#entries.values()) {
      if (e.data.phase === 'done' && !e.data.released) void this.#release(e);

      this.#notify(e);
    }
    this.#emitSummary();
    this.#pump();
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    const tasks = [...this.#entries.values()].flatMap((e) => (e.task ? [e.task] : []));
    tasks.push(...this.#batchTasks.values());
    for (const t of tasks) t.controller.abort(new Interrupted('the upload queue stopped'));
    await Promise.all(tasks.map((t) => t.done));
    for (const e of this.#entries.values()) if (e.emitTimer) clearTimeout(e.emitTimer);
    await this.#journal?.close();
    this.#journal = null;
    this.#agents.http.destroy();
    this.#agents.https.destroy();
    this.#agents = {
      http: new http.Agent({ keepAlive: true }),
      https: new https.Agent({ keepAlive: true }),
    };
  }

  async enqueue(items: QueueItem[], options: { batchId?: string } = {}): Promise<ItemProgress[]> {
    this.#assertRunning();
    const entries = items.map((item) => {
      const id = randomUUID();
      return newEntry({
        id,
        uploadId: id,
        batchId: options.batchId ?? null,
        item,
        phase: 'sending',
        paused: false,
        partSize: null,
        parts: {},
        documentId: null,
        error: null,
        released: false,
      });
    });
    for (const e of entries) this.#entries.set(e.data.id, e);
    // One record for the whole batch: after a crash the queue has all of it or none of it.
    await this.#write({ op: 'add', entries: entries.map((e) => e.data) });
    for (const e of entries) this.#notify(e);
    this.#emitSummary();
    this.#pump();
    return entries.map((e) => this.#progress(e));
  }

  list(): ItemProgress[] {
    return this.#visible().map((e) => this.#progress(e));
  }

  holdsStaged(sha256: string): boolean {
    return [...this.#entries.values()].some(
      (e) => e.data.item.sha256 === sha256 && !['done', 'cancelled'].includes(e.data.phase),
    );
  }

  subscribe(listener: (event: QueueEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async pause(id?: string): Promise<void> {
    this.#assertRunning();
    const targets = this.#targets(id).filter((e) => e.data.phase === 'sending' && !e.data.paused);
    if (targets.length === 0) return;
    for (const e of targets) {
      e.data.paused = true;
      e.task?.controller.abort(new Interrupted('paused'));
    }
    await this.#write({
      op: 'set',
      changes: targets.map((e) => ({ id: e.data.id, paused: true })),
    });
    for (const e of targets) this.#notify(e);
  }

  async resume(id?: string): Promise<void> {
    this.#assertRunning();
    if (id === undefined) {
      this.#signedIn = true;
      this.#wakeAll();
    }
    for (const e of this.#targets(id)) e.halted = null;
    const paused = this.#targets(id).filter((e) => e.data.paused);
    if (paused.length > 0) {
      for (const e of paused) e.data.paused = false;
      await this.#write({
        op: 'set',
        changes: paused.map((e) => ({ id: e.data.id, paused: false })),
      });
      for (const e of paused) this.#notify(e);
    }
    const failed = id === undefined ? undefined : this.#entries.get(id);
    if (failed?.data.phase === 'failed') await this.#retry(failed);
    this.#emitSummary();
    this.#pump();
  }

  async cancel(id?: string): Promise<void> {
    this.#assertRunning();
    const picked = this.#targets(id);
    // A batch is saved whole or not at all, so its unfinished files are cancelled together.
    const batchIds = new Set(
      picked.flatMap((e) => (e.data.batchId && unfinished(e) ? [e.data.batchId] : [])),
    );
    const targets = this.#visible().filter(
      (e) =>
        !this.#committing(e) &&
        (picked.includes(e) ||
          (e.data.batchId !== null && batchIds.has(e.data.batchId) && unfinished(e))),
    );
    const saved = targets.filter((e) => e.data.phase === 'done');
    const dropping = targets.filter((e) => e.data.phase !== 'done');
    for (const e of dropping) {
      e.data.phase = 'cancelled';
      e.halted = null;
      e.task?.controller.abort(new Interrupted('cancelled'));
    }
    if (dropping.length > 0) {
      await this.#write({
        op: 'set',
        changes: dropping.map((e) => ({ id: e.data.id, phase: 'cancelled' as const })),
      });
    }
    for (const e of saved) {
      this.#entries.delete(e.data.id);
      await this.#write({ op: 'drop', id: e.data.id });
    }
    for (const e of targets) this.#emit({ type: 'removed', id: e.data.id });
    this.#emitSummary();
    this.#pump();
  }

  async retry(id?: string): Promise<void> {
    this.#assertRunning();
    const seenBatches = new Set<string>();
    for (const e of this.#targets(id)) {
      e.halted = null;
      if (e.data.phase !== 'failed') {
        this.#notify(e);
        continue;
      }
      // #retry takes the failed files of a batch together; each batch once.
      if (e.data.batchId !== null) {
        if (seenBatches.has(e.data.batchId)) continue;
        seenBatches.add(e.data.batchId);
      }
      await this.#retry(e);
    }
    this.#emitSummary();
    this.#pump();
  }

  setConcurrency(concurrency: number): void {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(
        `Upload concurrency must be a whole number of at least 1, not ${concurrency}.`,
      );
    }
    if (concurrency === this.#o.concurrency) return;
    this.#o.concurrency = concurrency;
    this.#slots.resize(concurrency);
    this.#pump();
  }

  networkChanged(): void {
    this.#wakeAll();
    this.#pump();
  }

  tokenChanged(): void {
    this.#signedIn = true;
    this.#wakeAll();
    for (const e of this.#visible()) this.#notify(e);
    this.#emitSummary();
    this.#pump();
  }

  // ── scheduling ────────────────────────────────────────────────────────────────────────────

  /** Starts whatever may run now: uploads up to the file limit, batch commits, cancellations. */
  #pump(): void {
    if (!this.#running) return;
    for (const e of this.#entries.values()) {
      if (e.data.phase === 'cancelled' && !e.task && !e.halted) {
        this.#startTask(e, (s) => this.#cancelOne(e, s));
      }
    }
    if (!this.#signedIn) return;
    // Twice the part limit in files, so parts keep moving while other files are created or checked.
    let active = [...this.#entries.values()].filter(
      (e) => e.task && e.data.phase === 'sending',
    ).length;
    for (const e of this.#entries.values()) {
      if (active >= this.#o.concurrency * 2) break;
      if (e.data.phase !== 'sending' || e.data.paused || e.task || e.halted) continue;
      if (e.data.batchId && this.#batchTasks.has(e.data.batchId)) continue;
      this.#startTask(e, (s) => this.#drive(e, s));
      active++;
    }
    for (const batchId of this.#batchesReady()) this.#startBatchCommit(batchId);
  }

  #startTask(e: Entry, run: (signal: AbortSignal) => Promise<void>): void {
    const controller = new AbortController();
    const done = run(controller.signal)
      .catch((err: unknown) => {
        if (!(err instanceof Interrupted)) e.halted = errorOf(err);
      })
      .finally(() => {
        e.task = null;
        e.stage = 'idle';
        e.waitingForNetwork = false;
        e.inflight.clear();
        this.#notify(e);
        this.#emitSummary();
        this.#pump();
      });
    e.task = { controller, done };
    this.#notify(e);
  }

  /** Batches whose files are all on the server, or of which one was refused. */
  #batchesReady(): string[] {
    const batches = new Map<string, Entry[]>();
    for (const e of this.#entries.values()) {
      if (!e.data.batchId || e.data.phase === 'cancelled') continue;
      batches.set(e.data.batchId, [...(batches.get(e.data.batchId) ?? []), e]);
    }
    return [...batches]
      .filter(([batchId, members]) => {
        if (this.#batchTasks.has(batchId) || members.some((m) => m.halted)) return false;
        const phases = members.map((m) => m.data.phase);
        if (phases.every((p) => p === 'done' || p === 'failed')) return false;
        if (phases.every((p) => p === 'uploaded' || p === 'rejected')) return true;
        // Files the server is checking right now finish first, so the rollback finds them settled.
        return phases.includes('rejected') && !members.some((m) => m.stage === 'completing');
      })
      .map(([batchId]) => batchId);
  }

  // ── one file ─────────────────────────────────────────────────────────────────────────────

  /** Takes one file through the protocol, retrying until it is on the server or refused. */
  async #drive(e: Entry, signal: AbortSignal): Promise<void> {
    await this.#withRetries(e, signal, async () => {
      await this.#uploadOnce(e, signal);
    });
  }

  /**
   * Runs `step` until it succeeds: network failures wait (capped backoff) for ever, a 401 waits
   * for sign-in, passing refusals are retried a few times, and a lasting refusal fails the item.
   */
  async #withRetries(
    e: Entry | null,
    signal: AbortSignal,
    step: () => Promise<void>,
  ): Promise<void> {
    let failures = 0;
    let refusals = 0;
    let generation = this.#generation;
    for (;;) {
      try {
        await step();
        return;
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        if (generation !== this.#generation) {
          failures = 0;
          generation = this.#generation;
        }
        if (err instanceof OfflineError || err instanceof PartNetworkError) {
          this.#setOnline(false);
          if (e) {
            e.waitingForNetwork = true;
            this.#notify(e);
          }
          await this.#sleep(this.#delay(failures++), signal);
          if (e) e.waitingForNetwork = false;
          continue;
        }
        if (err instanceof ApiProblemError && err.status === 401) {
          this.#signedOut();
          await this.#untilSignedIn(signal);
          continue;
        }
        const refusal = refusalOf(err);
        if (refusal === 'retry' || (refusal !== 'final' && ++refusals < MAX_REFUSALS)) {
          if (e) this.#notify(e);
          await this.#sleep(this.#delay(failures++), signal);
          continue;
        }
        if (!e) throw err;
        await this.#refuse(e, errorOf(err));
        return;
      }
    }
  }

  async #uploadOnce(e: Entry, signal: AbortSignal): Promise<void> {
    await this.#checkStaged(e);
    e.stage = 'sending';
    this.#notify(e);
    const state = await this.#api('POST', '/uploads', {
      body: createRequest(e.data),
      schema: UploadState,
      signal,
    });
    if (await this.#settled(e, state)) return;
    if (state.status === 'pending') {
      await this.#reconcile(e, state);
      await this.#sendParts(e, state.partCount, signal);
    }
    const partCount = Math.ceil(e.data.item.size / state.partSize);
    if (Object.keys(e.data.parts).length < partCount) {
      throw new RetryLater('The server is checking this upload; asking again shortly.');
    }
    e.stage = 'completing';
    this.#notify(e);
    let done: UploadState;
    try {
      done = await this.#api('POST', `/uploads/${e.data.uploadId}/complete`, {
        body: { parts: partList(e.data.parts) },
        schema: UploadState,
        signal,
      });
    } catch (err) {
      if (!(err instanceof ApiProblemError) || err.status !== 409) throw err;
      // Parts went missing (the storage dropped the session or a part), or another request is
      // checking the upload: ask what the server has, and take it from there.
      const now = await this.#api('GET', `/uploads/${e.data.uploadId}`, {
        schema: UploadState,
        signal,
      });
      if (await this.#settled(e, now)) return;
      if (now.status === 'pending') await this.#reconcile(e, now, { distrustOwnRecord: true });
      throw new RetryLater(err.detail);
    }
    if (!(await this.#settled(e, done))) {
      throw new RetryLater(`The server left the upload ${done.status}; trying again.`);
    }
  }

  /** Handles an upload the server has finished with; false while it still takes parts. */
  async #settled(e: Entry, state: UploadState): Promise<boolean> {
    switch (state.status) {
      case 'completed':
        if (e.data.batchId) {
          await this.#save(e, { phase: 'uploaded' });
        } else {
          await this.#save(e, { phase: 'done', documentId: state.documentId, error: null });
          await this.#release(e);
        }
        return true;
      case 'failed':
        throw new Refused({
          code: 'file_rejected',
          message: state.error ?? `${e.data.item.fileName} was refused by the server.`,
        });
      case 'aborted':
        throw new Refused({
          code: 'upload_aborted',
          message: `The upload of ${e.data.item.fileName} was cancelled on the server. Try it again to send it anew.`,
        });
      case 'expired':
        throw new Refused({
          code: 'upload_expired',
          message: `The upload of ${e.data.item.fileName} expired on the server. Try it again to send it anew.`,
        });
      default:
        return false;
    }
  }

  /**
   * Brings the record of sent parts in line with the server. A list from the server is the
   * truth (empty after the storage dropped the session); without one the queue trusts its own
   * record, unless the server just refused it.
   */
  async #reconcile(
    e: Entry,
    state: UploadState,
    options: { distrustOwnRecord?: boolean } = {},
  ): Promise<void> {
    let parts = e.data.parts;
    if (state.partSize !== e.data.partSize) parts = {};
    if (state.parts) {
      parts = Object.fromEntries(state.parts.map((p) => [String(p.partNumber), p.etag]));
    } else if (options.distrustOwnRecord) {
      parts = {};
    }
    if (state.partSize === e.data.partSize && sameParts(parts, e.data.parts)) return;
    if (Object.keys(parts).length === 0) e.urls.clear();
    await this.#save(e, { partSize: state.partSize, parts });
  }

  async #sendParts(e: Entry, partCount: number, signal: AbortSignal): Promise<void> {
    const missing: number[] = [];
    for (let n = 1; n <= partCount; n++) if (!e.data.parts[n]) missing.push(n);
    if (missing.length === 0) return;
    // One failed part stops its siblings: the file goes back to the retry loop as a whole.
    const round = new AbortController();
    const stop = () => round.abort(signal.reason);
    signal.addEventListener('abort', stop, { once: true });
    // At most `concurrency` parts of one file wait for a connection; the rest wait their turn here.
    const worker = async () => {
      for (let n = missing.shift(); n !== undefined; n = missing.shift()) {
        await this.#sendPart(e, n, partCount, round.signal);
      }
    };
    try {
      const workers = Array.from({ length: Math.min(missing.length, this.#o.concurrency) }, () =>
        worker().catch((err: unknown) => {
          round.abort(new Interrupted('a sibling part failed'));
          throw err;
        }),
      );
      const results = await Promise.allSettled(workers);
      if (signal.aborted) throw signal.reason;
      const failure = results.find(
        (r): r is PromiseRejectedResult =>
          r.status === 'rejected' && !(r.reason instanceof Interrupted),
      );
      if (failure) throw failure.reason;
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }

  /** Sends one part, retrying network failures here so the file's other parts go on. */
  async #sendPart(e: Entry, n: number, partCount: number, signal: AbortSignal): Promise<void> {
    const partSize = e.data.partSize!;
    const start = (n - 1) * partSize;
    const length = n === partCount ? e.data.item.size - start : partSize;
    let networkFailures = 0;
    let refusals = 0;
    let generation = this.#generation;
    for (;;) {
      let answer: PartAnswer | undefined;
      const release = await this.#slots.acquire(signal);
      try {
        let resigned = false;
        for (;;) {
          const url = await this.#urlFor(e, n, partCount, signal, resigned);
          answer = await putPart({
            url,
            file: e.data.item.stagedPath,
            start,
            length,
            signal,
            stallMs: this.#o.stallTimeoutMs,
            agents: this.#agents,
            onProgress: (bytes) => {
              e.inflight.set(n, bytes);
              this.#notify(e);
            },
          });
          // An expired URL is refused with 403; one fresh signature per attempt.
          if (!answer.ok && answer.status === 403 && !resigned) {
            resigned = true;
            continue;
          }
          break;
        }
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        if (err instanceof StagedFileError) throw new Refused(unreadable(e, err.cause));
        if (!(err instanceof PartNetworkError)) throw err;
        if (generation !== this.#generation) {
          networkFailures = 0;
          generation = this.#generation;
        }
        this.#setOnline(false);
        e.inflight.delete(n);
        e.waitingForNetwork = true;
        this.#notify(e);
        release();
        await this.#sleep(this.#delay(networkFailures++), signal);
        e.waitingForNetwork = false;
        continue;
      } finally {
        release();
        e.inflight.delete(n);
      }
      if (answer.ok) {
        this.#setOnline(true);
        e.sessionLosses = 0;
        e.data.parts[n] = answer.etag;
        await this.#write({ op: 'part', id: e.data.id, partNumber: n, etag: answer.etag });
        this.#notify(e);
        return;
      }
      if (answer.status === 404) {
        // The storage no longer has this upload's session: every part goes again, to URLs of
        // the session the server starts in its place.
        e.urls.clear();
        if (++e.sessionLosses > MAX_REFUSALS) {
          throw new Refused({
            code: 'storage_refused',
            message: `The storage service keeps losing the upload of ${e.data.item.fileName}: ${answer.message}.`,
          });
        }
        await this.#save(e, { parts: {} });
        throw new RetryLater(
          `The storage service dropped the upload of ${e.data.item.fileName}; sending it again.`,
        );
      }
      const passing = answer.status >= 500 || answer.status === 429 || answer.status === 408;
      if (!passing && ++refusals >= MAX_REFUSALS) {
        throw new Refused({
          code: 'storage_refused',
          message: `The storage service refused part ${n} of ${e.data.item.fileName}: ${answer.message} (HTTP ${answer.status}).`,
        });
      }
      await this.#sleep(this.#delay(refusals + networkFailures), signal);
    }
  }

  /** A signed URL for the part; signs it and the next missing parts together when needed. */
  async #urlFor(
    e: Entry,
    n: number,
    partCount: number,
    signal: AbortSignal,
    fresh: boolean,
  ): Promise<string> {
    if (fresh) e.urls.delete(n);
    for (;;) {
      const cached = e.urls.get(n);
      if (cached && cached.expiresAt - URL_MARGIN_MS > this.#o.now()) return cached.url;
      const inProgress = e.signing.get(n);
      if (inProgress) {
        await inProgress;
        if (e.urls.has(n)) continue;
      }
      const wanted = [n];
      for (let m = n + 1; m <= partCount && wanted.length < SIGN_AHEAD; m++) {
        if (!e.data.parts[m] && !e.signing.has(m) && !e.urls.has(m)) wanted.push(m);
      }
      const signing = this.#api('POST', `/uploads/${e.data.uploadId}/parts/sign`, {
        body: { partNumbers: wanted },
        schema: SignedParts,
        signal,
      })
        .then((signed) => {
          for (const p of signed.parts) {
            e.urls.set(p.partNumber, { url: p.url, expiresAt: Date.parse(p.expiresAt) });
          }
        })
        .finally(() => {
          for (const m of wanted) e.signing.delete(m);
        });
      for (const m of wanted) e.signing.set(m, signing);
      await signing;
      const url = e.urls.get(n)?.url;
      if (url) return url;
    }
  }

  async #checkStaged(e: Entry): Promise<void> {
    const { stagedPath, size, fileName } = e.data.item;
    let actual: number;
    try {
      actual = (await stat(stagedPath)).size;
    } catch (err) {
      throw (err as NodeJS.ErrnoException).code === 'ENOENT'
        ? new Refused({
            code: 'staged_missing',
            message: `The staged copy of ${fileName} (${stagedPath}) is gone; add the file again.`,
          })
        : new Refused(unreadable(e, err));
    }
    if (actual !== size) {
      throw new Refused({
        code: 'staged_changed',
        message: `The staged copy of ${fileName} (${stagedPath}) holds ${actual} bytes, not the ${size} that were queued; add the file again.`,
      });
    }
  }

  /** A permanent failure: the item fails, or, in a batch, its batch will be committed as failed. */
  async #refuse(e: Entry, error: ItemError): Promise<void> {
    await this.#save(e, { phase: e.data.batchId ? 'rejected' : 'failed', error });
  }

  // ── batches ──────────────────────────────────────────────────────────────────────────────

  #startBatchCommit(batchId: string): void {
    const controller = new AbortController();
    const done = this.#commitBatch(batchId, controller.signal)
      .catch((err: unknown) => {
        if (err instanceof Interrupted) return;
        // Only the journal can fail here; the members show it and wait for resume().
        for (const m of this.#visible().filter((v) => v.data.batchId === batchId)) {
          m.halted = errorOf(err);
          this.#notify(m);
        }
      })
      .finally(() => {
        this.#batchTasks.delete(batchId);
        this.#emitSummary();
        this.#pump();
      });
    this.#batchTasks.set(batchId, { controller, done });
  }

  /**
   * Commits the batch once every file is on the server — or right away when one was refused,
   * because the server then rolls the whole batch back and the rest need not be sent.
   */
  async #commitBatch(batchId: string, signal: AbortSignal): Promise<void> {
    const members = () =>
      [...this.#entries.values()].filter(
        (e) => e.data.batchId === batchId && e.data.phase !== 'cancelled',
      );
    const stillSending = members().filter((m) => m.task);
    for (const m of stillSending) m.task!.controller.abort(new Interrupted('batch settled'));
    await Promise.all(stillSending.map((m) => m.task?.done));
    for (const m of members()) this.#notify(m);

    let result: BatchResult | null = null;
    let refusal: ItemError | null = null;
    try {
      await this.#withRetries(null, signal, async () => {
        try {
          result = await this.#api('POST', `/batches/${batchId}/commit`, {
            body: { uploadIds: members().map((m) => m.data.uploadId) },
            schema: BatchResult,
            acceptStatus: [422],
            signal,
          });
        } catch (err) {
          // No file of the batch ever reached the server: each keeps its own reason.
          if (!(err instanceof ApiProblemError) || err.status !== 404) throw err;
        }
      });
    } catch (err) {
      if (err instanceof Interrupted) throw err;
      refusal = errorOf(err);
    }
    const files = new Map((result as BatchResult | null)?.files.map((f) => [f.uploadId, f]) ?? []);
    const refused = members()
      .filter((m) => m.data.phase === 'rejected')
      .map((m) => m.data.item.fileName);
    const outcome = members().map((m) => {
      const file = files.get(m.data.uploadId);
      if (file?.status === 'succeeded') {
        return { m, changes: { phase: 'done' as const, documentId: file.documentId, error: null } };
      }
      const error = m.data.error ??
        refusal ?? {
          code: 'batch_failed',
          message:
            refused.length > 0 || !file?.reason
              ? `${m.data.item.fileName} was not saved: ${refused.join(', ') || 'another file'} of the same filing failed, and a filing is saved whole or not at all.`
              : `${m.data.item.fileName} was not saved: ${file.reason}.`,
        };
      return { m, changes: { phase: 'failed' as const, error } };
    });
    for (const { m, changes } of outcome) Object.assign(m.data, changes);
    await this.#write({
      op: 'set',
      changes: outcome.map(({ m, changes }) => ({ id: m.data.id, ...changes })),
    });
    for (const { m } of outcome) this.#notify(m);
    await Promise.all(
      outcome.filter(({ m }) => m.data.phase === 'done').map(({ m }) => this.#release(m)),
    );
  }

  /** Tries failed files again as new uploads: the failed files of a batch as a new batch. */
  async #retry(e: Entry): Promise<void> {
    const group = e.data.batchId
      ? this.#visible().filter(
          (m) => m.data.batchId === e.data.batchId && m.data.phase === 'failed',
        )
      : [e];
    const batchId = e.data.batchId ? randomUUID() : null;
    const changes = group.map((m) => ({
      id: m.data.id,
      uploadId: randomUUID(),
      batchId,
      phase: 'sending' as const,
      paused: false,
      partSize: null,
      parts: {},
      documentId: null,
      error: null,
    }));
    for (const [i, m] of group.entries()) {
      Object.assign(m.data, changes[i]);
      m.urls.clear();
    }
    await this.#write({ op: 'set', changes });
    for (const m of group) this.#notify(m);
  }

  // ── cancelling ───────────────────────────────────────────────────────────────────────────

  /** Has the server drop the upload, releases the staged copy, and forgets the item. */
  async #cancelOne(e: Entry, signal: AbortSignal): Promise<void> {
    let completedMeanwhile = false;
    try {
      await this.#withRetries(null, signal, async () => {
        try {
          await this.#api('DELETE', `/uploads/${e.data.uploadId}`, { signal });
        } catch (err) {
          if (!(err instanceof ApiProblemError)) throw err;
          // 404: it never reached the server. 409: it was completed before the cancel arrived.
          if (err.status === 409) completedMeanwhile = true;
          else if (err.status !== 404) throw err;
        }
      });
    } catch (err) {
      // Refused for good (access withdrawn, say): the server expires the upload on its own.
      if (err instanceof Interrupted) throw err;
    }
    if (completedMeanwhile && !e.data.batchId) {
      // Too late to cancel: the document exists. Show it as saved rather than lose track of it.
      const state = await this.#api('GET', `/uploads/${e.data.uploadId}`, {
        schema: UploadState,
        signal,
      });
      await this.#save(e, { phase: 'done', documentId: state.documentId, error: null });
      await this.#release(e);
      return;
    }
    // A batch never committed never becomes documents.
    await this.#o.releaseStaged({ id: e.data.id, item: e.data.item });
    this.#entries.delete(e.data.id);
    await this.#write({ op: 'drop', id: e.data.id });
  }

  // ── state, journal, events ──────────────────────────────────────────────────────────────

  /** Releases the staged copy of a saved document; a failure is shown and retried next start. */
  async #release(e: Entry): Promise<void> {
    try {
      await this.#o.releaseStaged({ id: e.data.id, item: e.data.item });
      await this.#save(e, { released: true });
    } catch (err) {
      // The document is safe on the server; the copy is released at the next start.
      e.data.error = {
        code: 'release_failed',
        message: `${e.data.item.fileName} is saved, but its staged copy could not be removed: ${(err as Error).message}`,
      };
      this.#notify(e);
    }
  }

  async #save(e: Entry, changes: Partial<Stored>): Promise<void> {
    Object.assign(e.data, changes);
    await this.#write({ op: 'set', changes: [{ id: e.data.id, ...changes }] });
    this.#notify(e);
    this.#emitSummary();
  }

  #write(record: JournalRecord): Promise<void> {
    if (!this.#journal) throw new Interrupted('the upload queue stopped');
    return this.#journal.append(record);
  }

  #replay(record: JournalRecord): void {
    switch (record.op) {
      case 'add':
        for (const data of record.entries) this.#entries.set(data.id, newEntry(data));
        break;
      case 'set':
        for (const { id, ...changes } of record.changes) {
          const e = this.#entries.get(id);
          if (e) Object.assign(e.data, changes);
        }
        break;
      case 'part': {
        const e = this.#entries.get(record.id);
        if (e) e.data.parts[record.partNumber] = record.etag;
        break;
      }
      case 'drop':
        this.#entries.delete(record.id);
        break;
    }
  }

  /** Calls the API; an answer of any kind shows the network works. */
  async #api<T extends z.ZodType>(
    method: 'GET' | 'POST' | 'DELETE',
    apiPath: string,
    options: RequestOptions<T>,
  ): Promise<z.infer<T>> {
    try {
      const answer = await this.#o.api(method, apiPath, options);
      this.#setOnline(true);
      return answer;
    } catch (err) {
      if (err instanceof ApiProblemError) this.#setOnline(true);
      throw err;
    }
  }

  /** Past the point of cancelling: the server is making the document (or the batch's). */
  #committing(e: Entry): boolean {
    if (!e.data.batchId) return e.stage === 'completing';
    return this.#batchTasks.has(e.data.batchId) && unfinished(e);
  }

  #stateOf(e: Entry): ItemState {
    const { phase } = e.data;
    if (phase === 'done') return 'done';
    if (phase === 'failed' || phase === 'rejected' || e.halted) return 'failed';
    if (e.data.paused) return 'paused';
    if (!this.#signedIn) return 'waiting-for-sign-in';
    if (this.#committing(e) || phase === 'uploaded' || e.stage === 'completing') {
      return 'committing';
    }
    if (e.waitingForNetwork || (!this.#online && !e.task)) return 'waiting-for-network';
    if (e.task) return 'uploading';
    return 'queued';
  }

  #progress(e: Entry): ItemProgress {
    const state = this.#stateOf(e);
    const bytesSent = this.#bytesSent(e);
    const moving = state === 'uploading' && e.meter.rate > 0;
    return {
      id: e.data.id,
      fileName: e.data.item.fileName,
      batchId: e.data.batchId,
      state,
      bytesSent,
      size: e.data.item.size,
      rate: moving ? Math.round(e.meter.rate) : 0,
      etaSeconds: moving ? Math.ceil((e.data.item.size - bytesSent) / e.meter.rate) : null,
      documentId: e.data.documentId,
      ...((e.halted ?? e.data.error) && { error: e.halted ?? e.data.error! }),
    };
  }

  #bytesSent(e: Entry): number {
    const { size } = e.data.item;
    if (e.data.phase === 'done' || e.data.phase === 'uploaded') return size;
    const partSize = e.data.partSize;
    if (!partSize) return 0;
    const partCount = Math.ceil(size / partSize);
    let bytes = 0;
    for (const n of Object.keys(e.data.parts).map(Number)) {
      bytes += n === partCount ? size - (partCount - 1) * partSize : partSize;
    }
    for (const b of e.inflight.values()) bytes += b;
    return Math.min(bytes, size);
  }

  /** Emits the item's progress: state changes at once, byte counts at most N times a second. */
  #notify(e: Entry): void {
    if (!this.#running || e.data.phase === 'cancelled') return;
    this.#measure(e);
    const state = this.#stateOf(e);
    const interval = 1000 / this.#o.maxEventsPerSecond;
    const due = e.lastEmitAt + interval - this.#o.now();
    if (state !== e.lastState || due <= 0) {
      if (e.emitTimer) clearTimeout(e.emitTimer);
      e.emitTimer = null;
      e.lastEmitAt = this.#o.now();
      e.lastState = state;
      this.#emit({ type: 'item', item: this.#progress(e) });
      return;
    }
    e.emitTimer ??= setTimeout(() => {
      e.emitTimer = null;
      this.#notify(e);
    }, due);
  }

  /** Smooths the rate over the last few seconds (an exponential moving average). */
  #measure(e: Entry): void {
    const now = this.#o.now();
    const bytes = this.#bytesSent(e);
    const m = e.meter;
    const elapsed = now - m.at;
    if (bytes < m.bytes || m.at === 0) {
      Object.assign(m, { bytes, at: now });
      return;
    }
    if (elapsed < 100) return;
    const instant = ((bytes - m.bytes) * 1000) / elapsed;
    m.rate += (1 - Math.exp(-elapsed / RATE_WINDOW_MS)) * (instant - m.rate);
    m.bytes = bytes;
    m.at = now;
  }

  #emitSummary(): void {
    if (!this.#running) return;
    const summary: QueueSummary = {
      pending: this.#visible().filter((e) => !['done', 'failed', 'rejected'].includes(e.data.phase))
        .length,
      online: this.#online,
      signedIn: this.#signedIn,
    };
    const key = JSON.stringify(summary);
    if (key === this.#lastSummary) return;
    this.#lastSummary = key;
    this.#emit({ type: 'summary', summary });
  }

  #emit(event: QueueEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        // A broken listener must not stop uploads; its error still surfaces.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  #setOnline(online: boolean): void {
    if (this.#online === online) return;
    this.#online = online;
    for (const e of this.#visible()) this.#notify(e);
    this.#emitSummary();
  }

  #signedOut(): void {
    if (!this.#signedIn) return;
    this.#signedIn = false;
    for (const e of this.#visible()) this.#notify(e);
    this.#emitSummary();
  }

  #untilSignedIn(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#signedIn) return resolve();
      const check = () => {
        if (!this.#signedIn) return;
        this.#wakers.delete(check);
        signal.removeEventListener('abort', abort);
        resolve();
      };
      const abort = () => {
        this.#wakers.delete(check);
        reject(signal.reason);
      };
      this.#wakers.add(check);
      signal.addEventListener('abort', abort, { once: true });
    });
  }

  /** Waits `ms`, or less when woken; rejects when the signal aborts. */
  #sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const done = () => {
        clearTimeout(timer);
        this.#wakers.delete(done);
        signal.removeEventListener('abort', abort);
        resolve();
      };
      const abort = () => {
        clearTimeout(timer);
        this.#wakers.delete(done);
        reject(signal.reason);
      };
      const timer = setTimeout(done, ms);
      this.#wakers.add(done);
      signal.addEventListener('abort', abort, { once: true });
    });
  }

  #wakeAll(): void {
    this.#generation++;
    for (const wake of [...this.#wakers]) wake();
  }

  /** Exponential backoff with full jitter, capped. */
  #delay(failures: number): number {
    const ceiling = Math.min(this.#o.maxRetryDelayMs, this.#o.retryDelayMs * 2 ** failures);
    return ceiling / 2 + (this.#o.random() * ceiling) / 2;
  }

  #visible(): Entry[] {
    return [...this.#entries.values()].filter((e) => e.data.phase !== 'cancelled');
  }

  #targets(id: string | undefined): Entry[] {
    if (id === undefined) return this.#visible();
    const e = this.#entries.get(id);
    return e && e.data.phase !== 'cancelled' ? [e] : [];
  }

  #assertRunning(): void {
    if (!this.#running) throw new Error('The upload queue is not started; call start() first.');
  }
}

function unfinished(e: Entry): boolean {
  return e.data.phase === 'sending' || e.data.phase === 'uploaded' || e.data.phase === 'rejected';
}

function newEntry(data: Stored): Entry {
  return {
    data,
    task: null,
    stage: 'idle',
    waitingForNetwork: false,
    sessionLosses: 0,
    inflight: new Map(),
    urls: new Map(),
    signing: new Map(),
    meter: { rate: 0, bytes: 0, at: 0 },
    lastEmitAt: 0,
    lastState: null,
    emitTimer: null,
    halted: null,
  };
}

function createRequest(d: Stored) {
  const { item } = d;
  return {
    id: d.uploadId,
    patientId: item.patientId,
    ...(item.encounterId && { encounterId: item.encounterId }),
    category: item.category,
    title: item.title,
    fileName: item.fileName,
    contentType: item.contentType,
    size: item.size,
    sha256: item.sha256,
    ...(item.documentDate && { documentDate: item.documentDate }),
    ...(d.batchId && { batchId: d.batchId }),
    ...(item.source && { source: item.source }),
  };
}

function partList(parts: Record<string, string>) {
  return Object.entries(parts)
    .map(([n, etag]) => ({ partNumber: Number(n), etag }))
    .sort((a, b) => a.partNumber - b.partNumber);
}

function sameParts(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function unreadable(e: Entry, cause: unknown): ItemError {
  const { fileName, stagedPath } = e.data.item;
  return {
    code: 'staged_unreadable',
    message: `The staged copy of ${fileName} (${stagedPath}) cannot be read: ${(cause as Error).message}. Add the file again.`,
  };
}

/**
 * How to take an API error: 'retry' (the server is busy or mid-check), 'final' (it refused the
 * file or the request for good), or 'maybe' (refused, but worth a few more tries).
 */
function refusalOf(err: unknown): 'retry' | 'final' | 'maybe' {
  if (err instanceof RetryLater) return 'retry';
  if (err instanceof Refused) return 'final';
  if (!(err instanceof ApiProblemError)) return 'final';
  if (err.status >= 500 || err.status === 429 || err.status === 408) return 'retry';
  if (err.status === 409) return 'maybe';
  return 'final';
}

function errorOf(err: unknown): ItemError {
  if (err instanceof Refused) return err.error;
  if (err instanceof ApiProblemError) return { code: err.code, message: err.detail };
  return { code: 'internal_error', message: (err as Error).message };
}

/**
 * A FIFO counting semaphore: parts wait their turn for one of N connections. N can change while
 * parts are in flight; after it shrinks, released slots are withheld until the count fits.
 */
export class Slots {
  #size: number;
  /** slots free now; negative while more are taken than the current size allows */
  #free: number;
  #waiting: { grant: () => void }[] = [];

  constructor(size: number) {
    this.#size = size;
    this.#free = size;
  }

  resize(size: number): void {
    this.#free += size - this.#size;
    this.#size = size;
    while (this.#free > 0 && this.#waiting.length > 0) {
      this.#free--;
      this.#waiting.shift()!.grant();
    }
  }

  acquire(signal: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        const next = this.#free >= 0 ? this.#waiting.shift() : undefined;
        if (next) next.grant();
        else this.#free++;
      };
      const waiter = {
        grant: () => {
          signal.removeEventListener('abort', abort);
          resolve(release);
        },
      };
      const abort = () => {
        this.#waiting = this.#waiting.filter((w) => w !== waiter);
        reject(signal.reason);
      };
      if (this.#free > 0) {
        this.#free--;
        resolve(release);
        return;
      }
      this.#waiting.push(waiter);
      signal.addEventListener('abort', abort, { once: true });
    });
  }
}
