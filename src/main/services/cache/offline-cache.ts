// The offline cache: documents a clinician marked "available offline" (a patient, an encounter
// or single documents) downloaded in the background — metadata, thumbnails, files, annotations —
// and kept current while online; documents opened anyway kept while there is room. Everything
// on disk is encrypted (./blob-crypto.ts) under a key wrapped by the SecretStore
// (./key-store.ts); the index of what is here is itself an encrypted blob, written atomically.
// Downloads go straight into encrypted chunks, resume with Range requests after an
// interruption, and are checked against the document's SHA-256 before they are used; a copy
// that fails its checks is dropped and downloaded again, never served.
//
// Plain Node: the API client, fetch, the SecretStore, limits and clock are passed in.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import {
  DocumentReference,
  DocumentUrls,
  Encounter,
  Patient,
  pageOf,
} from '../../../shared/api/schemas.js';
import { Listeners } from '../../listeners.js';
import { ApiProblemError, OfflineError, type ApiHttp } from '../api/http.js';
import { isTempName, writeFileAtomic } from '../fs/atomic-file.js';
import type { SecretStore } from '../secrets/secret-store.js';
import {
  BlobReader,
  BlobWriter,
  CacheIntegrityError,
  CacheKeys,
  DEFAULT_CHUNK_BYTES,
  openBlob,
  sealBlob,
  sealedSizeOf,
  type BlobKind,
} from './blob-crypto.js';
import { downloadRange, DownloadNetworkError, DownloadRefusedError } from './download.js';
import { forgetKeys, loadKeys, replaceDataKey } from './key-store.js';
import {
  CacheIndex,
  emptyIndex,
  idleProgress,
  PinTarget,
  type CacheEvent,
  type CacheLimits,
  type CacheUsage,
  type Entry,
  type OfflineView,
  type Pin,
  type SyncProgress,
} from './model.js';
import { chooseEvictions, isPinned, isStale, usageByPatient, usedBytesOf } from './policy.js';
import { ViewLog } from './view-log.js';

export interface OfflineCacheOptions {
  /** the cache folder, e.g. `<userData>/offline-cache`; nothing else may live in it */
  dir: string;
  secrets: SecretStore;
  /** the signed-in API (session.api) */
  api: ApiHttp;
  /** for the signed file and thumbnail URLs, which need no token */
  fetch?: typeof globalThis.fetch;
  /** read at each use, so a settings change applies at once */
  limits: () => CacheLimits;
  /** the signed-in user, recorded with views served from the cache */
  userId?: () => string | null;
  /**
   * Whose cache this is, e.g. server URL and user id; null while nobody is signed in, when
   * nothing is served. Another owner's copies are wiped before anything is used. When omitted,
   * the caller sees to it that only the user the copies were made for reaches them.
   */
  owner?: () => string | null;
  /** fetches a document's annotations, kept as they come; omitted until the API has them */
  annotations?: (documentId: string, signal: AbortSignal) => Promise<unknown>;
  /** sends views served from the cache to the API's audit log; omitted until the API has it */
  sendViews?: (views: OfflineView[]) => Promise<void>;
  /** keep documents opened from the server, not only pinned ones (default true) */
  cacheOnOpen?: boolean;
  clock?: () => Date;
  chunkBytes?: number;
  /** how often pinned documents are checked for changes while online (default 10 min) */
  refreshMs?: number;
  /** how long to wait before trying an unreachable server again (default 30 s) */
  offlineRetryMs?: number;
  /** first pause before retrying an interrupted download; doubles each time (default 500 ms) */
  retryDelayMs?: number;
  /** tries per file before the pass gives up on the network (default 5) */
  maxAttempts?: number;
  /** a download that receives nothing for this long is interrupted (default 30 s) */
  stallMs?: number;
  reportError?: (message: string, error: unknown) => void;
}

export interface OpenedDocument {
  document: DocumentReference;
  bytes: Buffer;
  /** `cache` when served from this computer, `server` when downloaded for this open */
  source: 'cache' | 'server';
}

export interface OpenedStream {
  document: DocumentReference;
  size: number;
  /** the bytes asked for, each chunk authenticated before it is pushed */
  stream: Readable;
}

/** The document is neither in the cache nor reachable on the server. */
export class NotAvailableOfflineError extends Error {
  override name = 'NotAvailableOfflineError';
  readonly code = 'not_available_offline';
  constructor(
    readonly documentId: string,
    reason: string,
  ) {
    super(
      `Document ${documentId} is not available offline and the server cannot be reached (${reason}). Mark it available offline while connected to read it without a network.`,
    );
  }
}

/** The server's file does not match the SHA-256 it recorded for the document. */
export class ChecksumMismatchError extends Error {
  override name = 'ChecksumMismatchError';
  readonly code = 'checksum_mismatch';
  constructor(document: DocumentReference, actual: string) {
    super(
      `The file of "${document.title}" (${document.fileName}) downloaded from the server does not match its recorded SHA-256 (expected ${document.sha256}, got ${actual}); it was not kept. Try again, and tell an administrator if this repeats.`,
    );
  }
}

const DEFAULTS = {
  refreshMs: 10 * 60_000,
  offlineRetryMs: 30_000,
  retryDelayMs: 500,
  maxAttempts: 5,
  stallMs: 30_000,
};
/** Recency changes are saved at most this often; eviction order is not worth an fsync per open. */
const RECENCY_SAVE_MS = 2_000;
const INDEX_ID = 'index';
const DocumentPage = pageOf(DocumentReference);
const EncounterList = z.object({ items: z.array(Encounter) });

type Progress = SyncProgress;

export async function openOfflineCache(options: OfflineCacheOptions): Promise<OfflineCache> {
  const cache = new OfflineCache(options);
  await cache.load();
  return cache;
}

export class OfflineCache {
  readonly #o: OfflineCacheOptions;
  readonly #fetch: typeof globalThis.fetch;
  readonly #clock: () => Date;
  readonly #chunkBytes: number;
  readonly #tuning: typeof DEFAULTS;
  readonly #listeners = new Listeners<CacheEvent>();
  readonly #locks = new Map<string, Promise<unknown>>();
  readonly #blobsDir: string;
  readonly #indexFile: string;
  readonly #keyFile: string;
  readonly #viewsFile: string;

  #keys!: CacheKeys;
  #index: CacheIndex = emptyIndex();
  #viewLog!: ViewLog;
  #progress: Progress = idleProgress();
  #saving: Promise<void> = Promise.resolve();
  #recencyTimer: NodeJS.Timeout | undefined;
  #started = false;
  #stopped = false;
  #syncTimer: NodeJS.Timeout | undefined;
  #pass: { controller: AbortController; done: Promise<void> } | null = null;
  #lastProgressBytes = 0;
  readonly #background = new Set<Promise<unknown>>();

  constructor(options: OfflineCacheOptions) {
    this.#o = options;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#clock = options.clock ?? (() => new Date());
    this.#chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    this.#tuning = {
      refreshMs: options.refreshMs ?? DEFAULTS.refreshMs,
      offlineRetryMs: options.offlineRetryMs ?? DEFAULTS.offlineRetryMs,
      retryDelayMs: options.retryDelayMs ?? DEFAULTS.retryDelayMs,
      maxAttempts: options.maxAttempts ?? DEFAULTS.maxAttempts,
      stallMs: options.stallMs ?? DEFAULTS.stallMs,
    };
    this.#blobsDir = path.join(options.dir, 'blobs');
    this.#indexFile = path.join(options.dir, 'index');
    this.#keyFile = path.join(options.dir, 'key');
    this.#viewsFile = path.join(options.dir, 'views');
  }

  /** Unlocks the cache, reads its index and removes what a crash left. Called once by open. */
  async load(): Promise<void> {
    await mkdir(this.#blobsDir, { recursive: true, mode: 0o700 });
    const keys = await loadKeys(this.#o.secrets, this.#keyFile);
    this.#keys = new CacheKeys(keys.dataKey);
    const problems: string[] = [];
    if (keys.lost) {
      problems.push(`The offline copies were removed: ${keys.lost}.`);
    } else {
      const index = await this.#readIndex();
      if (index === 'damaged')
        problems.push('The offline cache index was damaged, so the cache was emptied.');
      else this.#index = index;
    }
    await this.#removeStrayBlobs();
    const { log, unreadable } = await ViewLog.open(this.#viewsFile, keys.viewKey);
    this.#viewLog = log;
    if (unreadable > 0) {
      problems.push(
        `${unreadable} record(s) of documents viewed offline could not be read and were dropped.`,
      );
    }
    await this.expire();
    if (problems.length) {
      await this.#saveIndex();
      this.#setProgress({ message: problems.join(' ') });
    }
  }

  subscribe(listener: (event: CacheEvent) => void): () => void {
    return this.#listeners.add(listener);
  }

  progress(): SyncProgress {
    return { ...this.#progress };
  }

  pins(): Pin[] {
    return structuredClone(this.#index.pins);
  }

  /** Marks a patient, an encounter or documents available offline; the next sync fetches them. */
  async pin(target: PinTarget): Promise<Pin> {
    const parsed = PinTarget.parse(target);
    if (!(await this.#ownerReady())) {
      throw new Error('Sign in to keep documents available offline.');
    }
    const existing = this.#index.pins.find((p) => isDeepStrictEqual(p.target, parsed));
    if (existing) return structuredClone(existing);
    const pin: Pin = { id: randomUUID(), target: parsed, createdAt: this.#now() };
    this.#index.pins.push(pin);
    await this.#saveIndex();
    this.#emit({ type: 'changed' });
    this.#syncSoon(0);
    return structuredClone(pin);
  }

  /**
   * Removes a pin. Copies no other pin covers are removed too, unless `keepCopies`, which leaves
   * them as ordinary cached documents for the size limit to evict in time.
   */
  async unpin(pinId: string, options: { keepCopies?: boolean } = {}): Promise<void> {
    const removed = this.#index.pins.find((p) => p.id === pinId);
    if (!removed) return;
    this.#index.pins = this.#index.pins.filter((p) => p !== removed);
    await this.#cancelPass();
    if (!options.keepCopies) {
      for (const entry of Object.values(this.#index.entries)) {
        if (isPinned(entry, [removed]) && !isPinned(entry, this.#index.pins)) {
          await this.#removeEntry(entry.documentId);
        }
      }
      await this.#removeOrphanPatients();
    }
    await this.#saveIndex();
    this.#emit({ type: 'changed' });
    this.#syncSoon(0);
  }

  /** Starts keeping pinned documents current: a sync now, then every refreshMs while online. */
  start(): void {
    this.#started = true;
    this.#syncSoon(0);
  }

  /** The network or sign-in came back: sync now rather than at the next retry. */
  networkChanged(): void {
    this.#syncSoon(0);
  }

  /** Runs a sync pass now (after the one under way) and resolves when it ends. */
  async syncNow(): Promise<SyncProgress> {
    await this.#pass?.done;
    await this.#runPass();
    return this.progress();
  }

  /** Stops the pass under way; what it downloaded so far is kept and resumed later. */
  cancelSync(): Promise<void> {
    return this.#cancelPass();
  }

  /**
   * The document's bytes: from the cache when it holds a sound, current copy (recorded in the
   * offline view log, since the server does not see it), else from the server, kept for next
   * time when the policy and the size limit allow.
   */
  async open(documentId: string, options: { signal?: AbortSignal } = {}): Promise<OpenedDocument> {
    if (!(await this.#ownerReady())) {
      throw new NotAvailableOfflineError(documentId, 'nobody is signed in');
    }
    const cached = await this.#readCached(documentId);
    if (cached) {
      // On disk before stop() returns, but the viewer need not wait for the fsync.
      this.#track(this.#recordView(cached.document));
      return { ...cached, source: 'cache' };
    }
    let document: DocumentReference;
    let bytes: Buffer;
    try {
      document = await this.#o.api('GET', `/documents/${documentId}`, {
        schema: DocumentReference,
        signal: options.signal,
      });
      bytes = await this.#downloadWhole(document, options.signal);
    } catch (error) {
      if (error instanceof OfflineError || error instanceof DownloadNetworkError) {
        throw new NotAvailableOfflineError(documentId, error.message);
      }
      throw error;
    }
    if (this.#o.cacheOnOpen ?? true) {
      await this.#keepCopy(document, bytes).catch((error) =>
        this.#report(`The document ${documentId} could not be kept offline.`, error),
      );
    }
    return { document, bytes, source: 'server' };
  }

  /**
   * Streams bytes `start`..`end` of a cached document (for a viewer that reads by range), or
   * null when no sound copy is here. Views are not recorded: call recordView once per view.
   */
  async openStream(
    documentId: string,
    range: { start?: number; end?: number } = {},
  ): Promise<OpenedStream | null> {
    if (!(await this.#ownerReady())) return null;
    const entry = await this.#usableEntry(documentId);
    if (!entry) return null;
    try {
      const document = await this.#readJson('document', documentId, DocumentReference);
      const reader = await this.#openReader(entry);
      const stream = reader.stream(range.start ?? 0, range.end ?? reader.size - 1);
      stream.once('close', () => void reader.close().catch(() => undefined));
      stream.once('error', (error) => {
        if (error instanceof CacheIntegrityError) void this.#dropDamaged(documentId, error);
      });
      this.#touch(entry);
      return { document, size: reader.size, stream };
    } catch (error) {
      if (!(error instanceof CacheIntegrityError)) throw error;
      await this.#dropDamaged(documentId, error);
      return null;
    }
  }

  /** Records a view served from the cache, for the server's audit log. */
  async recordView(documentId: string): Promise<void> {
    const document = await this.cachedDocument(documentId);
    if (document) await this.#recordView(document);
  }

  /** The cached metadata of a document, or null. */
  async cachedDocument(documentId: string): Promise<DocumentReference | null> {
    if (!(await this.#ownerReady()) || !this.#index.entries[documentId]) return null;
    return this.#readJson('document', documentId, DocumentReference).catch(() => null);
  }

  /** Cached documents whose files are here, of one patient or encounter, or all. */
  async cachedDocuments(
    filter: { patientId?: string; encounterId?: string } = {},
  ): Promise<DocumentReference[]> {
    const out: DocumentReference[] = [];
    for (const entry of Object.values(this.#index.entries)) {
      if (entry.file !== 'complete') continue;
      if (filter.patientId && entry.patientId !== filter.patientId) continue;
      if (filter.encounterId && entry.encounterId !== filter.encounterId) continue;
      const document = await this.cachedDocument(entry.documentId);
      if (document) out.push(document);
    }
    return out.sort((a, b) => b.documentDate.localeCompare(a.documentDate));
  }

  /** The cached thumbnail (JPEG), or null. */
  async cachedThumbnail(documentId: string): Promise<Buffer | null> {
    if (!(await this.#ownerReady()) || !this.#index.entries[documentId]?.thumbnail) return null;
    return this.#readBlob('thumbnail', documentId).catch(() => null);
  }

  /** The cached annotations as the API gave them, or null. */
  async cachedAnnotations(documentId: string): Promise<unknown> {
    if (!(await this.#ownerReady()) || !this.#index.entries[documentId]?.annotations) return null;
    return this.#readJson('annotations', documentId, z.unknown()).catch(() => null);
  }

  async cachedPatient(patientId: string): Promise<Patient | null> {
    if (!(await this.#ownerReady()) || !this.#index.patients[patientId]) return null;
    return this.#readJson('patient', patientId, Patient).catch(() => null);
  }

  async cachedEncounters(patientId: string): Promise<Encounter[] | null> {
    if (!(await this.#ownerReady()) || !this.#index.patients[patientId]) return null;
    return this.#readJson('encounters', patientId, z.array(Encounter)).catch(() => null);
  }

  /** Disk use in total and per patient, for the settings screen. */
  async usage(): Promise<CacheUsage> {
    const patients = [];
    for (const totals of usageByPatient(this.#index)) {
      const patient = await this.cachedPatient(totals.patientId);
      patients.push({
        ...totals,
        name: patient ? `${patient.givenName} ${patient.familyName}` : null,
        mrn: patient?.mrn ?? null,
      });
    }
    return {
      usedBytes: usedBytesOf(this.#index),
      limitBytes: this.#o.limits().maxBytes,
      pinnedBytes: patients.reduce((n, p) => n + p.pinnedBytes, 0),
      patients,
    };
  }

  /**
   * Brings the cache within its size limit, least recently used first. Pinned copies go only
   * with `allowPinned` (the user agreed); without it they stay even over the limit. Resolves
   * with the documents removed.
   */
  async evict(options: { allowPinned?: boolean } = {}): Promise<string[]> {
    const { chosen } = chooseEvictions({
      index: this.#index,
      limitBytes: this.#o.limits().maxBytes,
      neededBytes: 0,
      keep: new Set(this.#locks.keys()),
      allowPinned: options.allowPinned,
    });
    for (const id of chosen) await this.#removeEntry(id);
    if (chosen.length) {
      await this.#saveIndex();
      this.#emit({ type: 'changed' });
    }
    return chosen;
  }

  /** Removes copies older than the administrator's maximum age. Resolves with the documents. */
  async expire(): Promise<string[]> {
    const { maxAgeMs } = this.#o.limits();
    const now = this.#clock();
    const stale = Object.values(this.#index.entries)
      .filter((e) => isStale(e.confirmedAt, now, maxAgeMs))
      .map((e) => e.documentId);
    for (const id of stale) await this.#removeEntry(id);
    const stalePatients = Object.entries(this.#index.patients).filter(([, p]) =>
      isStale(p.confirmedAt, now, maxAgeMs),
    );
    for (const [patientId] of stalePatients) await this.#removePatient(patientId);
    if (stale.length || stalePatients.length) {
      await this.#saveIndex();
      this.#emit({ type: 'changed' });
    }
    return stale;
  }

  /** Removes one document's copy (it stays pinned, and is downloaded again by the next sync). */
  async remove(documentId: string): Promise<void> {
    await this.#removeEntry(documentId);
    await this.#saveIndex();
    this.#emit({ type: 'changed' });
  }

  /**
   * Removes every offline copy and pin, and replaces the data key, so nothing written before
   * can be read again. Views not yet sent are kept (sealed under their own key) unless
   * `viewLog` is true, which forgets the key-encryption key as well.
   */
  async wipe(options: { viewLog?: boolean } = {}): Promise<void> {
    clearTimeout(this.#syncTimer);
    await this.#cancelPass();
    await this.#wipeData(options);
  }

  /** wipe() without stopping the pass: for the pass itself, which has nothing under way yet. */
  async #wipeData(options: { viewLog?: boolean }): Promise<void> {
    await Promise.all(this.#locks.values());
    await this.#saving;
    // A background write (a document opened meanwhile being kept) may add a file while the
    // folder is removed; rm tries again rather than leave the previous copies readable.
    await rm(this.#blobsDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
    await rm(this.#indexFile, { force: true });
    this.#index = emptyIndex();
    if (options.viewLog) {
      await this.#viewLog.clear();
      await forgetKeys(this.#o.secrets, this.#keyFile);
      const keys = await loadKeys(this.#o.secrets, this.#keyFile);
      this.#keys = new CacheKeys(keys.dataKey);
      this.#viewLog = (await ViewLog.open(this.#viewsFile, keys.viewKey)).log;
    } else {
      this.#keys = new CacheKeys(await replaceDataKey(this.#o.secrets, this.#keyFile));
    }
    await mkdir(this.#blobsDir, { recursive: true, mode: 0o700 });
    await this.#saveIndex();
    this.#setProgress({ documentsDone: 0, documentsTotal: 0, bytesDone: 0, bytesTotal: 0 });
    this.#emit({ type: 'changed' });
  }

  /** Views served from the cache and not yet sent to the server. */
  async pendingViews(): Promise<OfflineView[]> {
    await Promise.all(this.#background);
    return this.#viewLog.pending();
  }

  /** Sends pending views with `sendViews`; resolves with how many went. */
  async flushViews(): Promise<number> {
    if (!this.#o.sendViews) return 0;
    await Promise.all(this.#background);
    return this.#viewLog.flush(this.#o.sendViews);
  }

  /** Stops syncing, lets a download under way keep what it has, and saves the index. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#syncTimer);
    clearTimeout(this.#recencyTimer);
    await this.#cancelPass();
    await Promise.all(this.#locks.values());
    await Promise.all(this.#background);
    await this.#saveIndex();
    await this.#viewLog.close();
  }

  /**
   * Whether the cache may be used now: someone is signed in, and it is theirs — another user's
   * copies are wiped first, so they never see documents fetched under someone else's access.
   */
  async #ownerReady(): Promise<boolean> {
    const owner = this.#o.owner?.();
    if (owner === undefined) return true;
    if (owner === null) return false;
    if (this.#index.owner === owner) return true;
    if (this.#index.owner !== null) {
      await this.#wipeData({});
      this.#emit({
        type: 'problem',
        documentId: null,
        message: 'The offline copies made for another user were removed.',
      });
    }
    this.#index.owner = owner;
    await this.#saveIndex();
    return true;
  }

  // ---- sync ---------------------------------------------------------------------------------

  #syncSoon(ms: number): void {
    if (!this.#started || this.#stopped) return;
    clearTimeout(this.#syncTimer);
    this.#syncTimer = setTimeout(() => {
      this.#syncTimer = undefined;
      if (this.#pass) {
        // The pass under way may have missed the change: go again after it.
        void this.#pass.done.then(() => this.#syncSoon(0));
        return;
      }
      void this.#runPass();
    }, ms);
    this.#syncTimer.unref();
  }

  #runPass(): Promise<void> {
    if (this.#pass) return this.#pass.done;
    const controller = new AbortController();
    const done = this.#syncPass(controller.signal)
      .then(() => {
        this.#setProgress({
          state: this.#progress.state === 'failed' ? 'failed' : 'idle',
          currentDocumentId: null,
          lastSyncedAt: this.#now(),
        });
        this.#syncSoon(this.#tuning.refreshMs);
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) {
          this.#setProgress({ state: 'idle', currentDocumentId: null });
          return;
        }
        if (isNetworkError(error)) {
          this.#setProgress({
            state: 'offline',
            currentDocumentId: null,
            message: `Offline copies will be brought up to date when the server can be reached: ${(error as Error).message}`,
          });
          this.#syncSoon(this.#tuning.offlineRetryMs);
          return;
        }
        this.#setProgress({ state: 'failed', currentDocumentId: null, message: messageOf(error) });
        this.#report('The offline copies could not be brought up to date.', error);
        this.#syncSoon(this.#tuning.offlineRetryMs);
      })
      .finally(() => {
        this.#pass = null;
        return this.#saveIndex().catch((error) =>
          this.#report('The offline cache index could not be saved.', error),
        );
      });
    this.#pass = { controller, done };
    return done;
  }

  async #cancelPass(): Promise<void> {
    const pass = this.#pass;
    if (!pass) return;
    pass.controller.abort(new Error('The offline sync was cancelled.'));
    await pass.done;
  }

  async #syncPass(signal: AbortSignal): Promise<void> {
    this.#setProgress({
      state: 'syncing',
      documentsDone: 0,
      documentsTotal: 0,
      bytesDone: 0,
      bytesTotal: 0,
      overLimit: 0,
      currentDocumentId: null,
      message: null,
    });
    if (!(await this.#ownerReady())) return;
    await this.expire();
    const { documents, patients, failures } = await this.#resolvePins(signal);

    // Copies a pin covers that its target no longer lists were deleted, moved or withdrawn;
    // when a target could not be listed, nothing is concluded from its absence.
    for (const entry of Object.values(this.#index.entries)) {
      if (failures.length > 0) break;
      if (isPinned(entry, this.#index.pins) && !documents.has(entry.documentId)) {
        await this.#removeEntry(entry.documentId);
      }
    }
    for (const patientId of patients) await this.#syncPatient(patientId, signal);
    await this.#removeOrphanPatients();
    await this.#saveIndex();

    const wanted = [...documents.values()];
    this.#setProgress({
      documentsTotal: wanted.length,
      bytesTotal: wanted
        .filter((d) => this.#index.entries[d.id]?.file !== 'complete')
        .reduce((n, d) => n + d.fileSize, 0),
    });
    for (const document of wanted) {
      signal.throwIfAborted();
      this.#setProgress({ currentDocumentId: document.id });
      try {
        await this.#syncDocument(document, signal);
      } catch (error) {
        if (signal.aborted || isNetworkError(error)) throw error;
        failures.push(`${document.title}: ${messageOf(error)}`);
      }
      this.#setProgress({ documentsDone: this.#progress.documentsDone + 1 });
    }
    try {
      await this.flushViews();
    } catch (error) {
      if (isNetworkError(error)) throw error;
      failures.push(`views made offline were not sent: ${messageOf(error)}`);
    }
    if (failures.length) {
      this.#setProgress({
        state: 'failed',
        message: `Some offline copies could not be brought up to date: ${failures.join('; ')}`,
      });
    } else if (this.#progress.overLimit > 0) {
      this.#setProgress({
        message: `${this.#progress.overLimit} pinned document(s) do not fit within the offline storage limit. Raise the limit in Settings, or remove other offline copies.`,
      });
    }
  }

  /** Every document the pins cover, as the server lists them now. */
  async #resolvePins(signal: AbortSignal) {
    const documents = new Map<string, DocumentReference>();
    const patients = new Set<string>();
    const failures: string[] = [];
    const add = (d: DocumentReference) => {
      documents.set(d.id, d);
      patients.add(d.patientId);
    };
    for (const pin of this.#index.pins) {
      const t = pin.target;
      try {
        if ('patientId' in t) {
          patients.add(t.patientId);
          for (const d of await this.#listDocuments(`patientId=${t.patientId}`, signal)) add(d);
        } else if ('encounterId' in t) {
          for (const d of await this.#listDocuments(`encounterId=${t.encounterId}`, signal)) {
            add(d);
          }
        } else {
          for (const id of t.documentIds) {
            try {
              add(
                await this.#o.api('GET', `/documents/${id}`, { schema: DocumentReference, signal }),
              );
            } catch (error) {
              if (!isGone(error)) throw error;
            }
          }
        }
      } catch (error) {
        if (signal.aborted || isNetworkError(error)) throw error;
        if (!isGone(error)) failures.push(messageOf(error));
        // Gone or refused: what the pin covered is no longer the user's to keep.
      }
    }
    return { documents, patients, failures };
  }

  async #listDocuments(filter: string, signal: AbortSignal): Promise<DocumentReference[]> {
    const out: DocumentReference[] = [];
    let cursor: string | null = null;
    do {
      const page: z.infer<typeof DocumentPage> = await this.#o.api(
        'GET',
        `/documents?${filter}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { schema: DocumentPage, signal },
      );
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }

  async #syncPatient(patientId: string, signal: AbortSignal): Promise<void> {
    try {
      const patient = await this.#o.api('GET', `/patients/${patientId}`, {
        schema: Patient,
        signal,
      });
      const encounters = await this.#o.api('GET', `/patients/${patientId}/encounters`, {
        schema: EncounterList,
        signal,
      });
      const bytes =
        (await this.#writeJson('patient', patientId, patient)) +
        (await this.#writeJson('encounters', patientId, encounters.items));
      this.#index.patients[patientId] = { diskBytes: bytes, confirmedAt: this.#now() };
    } catch (error) {
      if (signal.aborted || isNetworkError(error)) throw error;
      if (isGone(error)) await this.#removePatient(patientId);
      else throw error;
    }
  }

  /** Metadata, thumbnail, annotations and file of one pinned document, brought up to date. */
  async #syncDocument(document: DocumentReference, signal: AbortSignal): Promise<void> {
    await this.#withLock(document.id, async () => {
      const entry = await this.#upsertEntry(document);
      if (document.thumbnailStatus === 'ready' && !entry.thumbnail) {
        const { thumbnailUrl } = await this.#o.api('POST', `/documents/${document.id}/urls`, {
          body: {},
          schema: DocumentUrls,
          signal,
        });
        if (thumbnailUrl) {
          await this.#writeBlob(
            'thumbnail',
            document.id,
            await this.#fetchSmall(thumbnailUrl, signal),
          );
          entry.thumbnail = true;
        }
      }
      entry.confirmedAt = this.#now();
      await this.#refreshDiskBytes(entry);
      if (entry.file !== 'complete') {
        const needed = sealedSizeOf(document.fileSize, this.#chunkBytes);
        if (await this.#makeRoom(needed, document.id)) {
          await this.#downloadFile(document, entry, signal);
        } else {
          this.#setProgress({ overLimit: this.#progress.overLimit + 1 });
        }
      }
      // After the file: annotations that cannot be fetched must not cost the file.
      if (this.#o.annotations) {
        const annotations = await this.#o.annotations(document.id, signal);
        await this.#writeJson('annotations', document.id, annotations);
        entry.annotations = true;
        await this.#refreshDiskBytes(entry);
      }
      await this.#saveIndex();
      this.#emit({ type: 'changed' });
    });
  }

  /** The entry for `document`, its metadata saved when new or changed. */
  async #upsertEntry(document: DocumentReference): Promise<Entry> {
    const now = this.#now();
    let entry = this.#index.entries[document.id];
    if (entry && entry.sha256 !== document.sha256) {
      // Another file now: the copy here is of the old one.
      await rm(this.#blobPath('file', document.id), { force: true });
      entry.file = 'none';
    }
    // Any change counts, not only a newer updatedAt: two edits can share a timestamp.
    const metadataSha256 = createHash('sha256').update(JSON.stringify(document)).digest('hex');
    if (
      !entry ||
      entry.metadataSha256 !== metadataSha256 ||
      !(await exists(this.#blobPath('document', document.id)))
    ) {
      await this.#writeJson('document', document.id, document);
    }
    entry = {
      documentId: document.id,
      patientId: document.patientId,
      encounterId: document.encounterId,
      sha256: document.sha256,
      size: document.fileSize,
      contentType: document.contentType,
      metadataSha256,
      file: entry?.file ?? 'none',
      thumbnail: entry?.thumbnail ?? false,
      annotations: entry?.annotations ?? false,
      diskBytes: entry?.diskBytes ?? 0,
      confirmedAt: now,
      accessedAt: entry?.accessedAt ?? now,
    };
    this.#index.entries[document.id] = entry;
    return entry;
  }

  /**
   * Downloads the file into its encrypted blob, going on from an interrupted download's whole
   * chunks, retrying a lost connection with a Range request for the rest, and keeping it only
   * when its SHA-256 matches the document's. A mismatch drops it and downloads it once more.
   */
  async #downloadFile(
    document: DocumentReference,
    entry: Entry,
    signal: AbortSignal,
  ): Promise<void> {
    const file = this.#blobPath('file', document.id);
    for (let round = 1; ; round++) {
      let hash = createHash('sha256');
      let writer =
        entry.file === 'partial'
          ? await BlobWriter.resume(file, this.#keys, 'file', document.id, document.fileSize, (p) =>
              hash.update(p),
            )
          : null;
      if (writer) {
        this.#addBytes(writer.received);
      } else {
        hash = createHash('sha256');
        writer = await BlobWriter.create(
          file,
          this.#keys,
          'file',
          document.id,
          document.fileSize,
          this.#chunkBytes,
        );
        entry.file = 'partial';
        await this.#saveIndex();
      }
      const w = writer;
      try {
        await this.#withRetries(signal, async () => {
          const { url } = await this.#o.api('POST', `/documents/${document.id}/urls`, {
            body: {},
            schema: DocumentUrls,
            signal,
          });
          await downloadRange({
            url,
            fetch: this.#fetch,
            from: w.received,
            size: document.fileSize,
            signal,
            stallMs: this.#tuning.stallMs,
            onBytes: async (bytes) => {
              hash.update(bytes);
              await w.write(bytes);
              this.#addBytes(bytes.length);
            },
          });
        });
      } catch (error) {
        await w.close();
        await this.#refreshDiskBytes(entry);
        throw error;
      }
      const actual = hash.digest('hex');
      if (actual === document.sha256) {
        await w.finish();
        entry.file = 'complete';
        await this.#refreshDiskBytes(entry);
        return;
      }
      await w.close();
      await rm(file, { force: true });
      entry.file = 'none';
      await this.#refreshDiskBytes(entry);
      const mismatch = new ChecksumMismatchError(document, actual);
      this.#emit({ type: 'problem', documentId: document.id, message: mismatch.message });
      if (round >= 2) throw mismatch;
    }
  }

  /** Runs `attempt` until it succeeds, retrying lost connections with a growing pause. */
  async #withRetries(signal: AbortSignal | undefined, attempt: () => Promise<void>): Promise<void> {
    for (let n = 1; ; n++) {
      try {
        await attempt();
        return;
      } catch (error) {
        if (signal?.aborted || !isNetworkError(error) || n >= this.#tuning.maxAttempts) throw error;
        await sleep(this.#tuning.retryDelayMs * 2 ** (n - 1), signal);
      }
    }
  }

  // ---- open ---------------------------------------------------------------------------------

  async #readCached(documentId: string): Promise<Omit<OpenedDocument, 'source'> | null> {
    const entry = await this.#usableEntry(documentId);
    if (!entry) return null;
    try {
      const document = await this.#readJson('document', documentId, DocumentReference);
      const reader = await this.#openReader(entry);
      try {
        const bytes = await reader.readAll();
        this.#touch(entry);
        return { document, bytes };
      } finally {
        await reader.close();
      }
    } catch (error) {
      if (!(error instanceof CacheIntegrityError)) throw error;
      await this.#dropDamaged(documentId, error);
      return null;
    }
  }

  /** The entry when its file is here and not too old; a stale one is removed. */
  async #usableEntry(documentId: string): Promise<Entry | null> {
    const entry = this.#index.entries[documentId];
    if (!entry || entry.file !== 'complete') return null;
    if (isStale(entry.confirmedAt, this.#clock(), this.#o.limits().maxAgeMs)) {
      await this.#removeEntry(documentId);
      await this.#saveIndex();
      this.#emit({ type: 'changed' });
      return null;
    }
    return entry;
  }

  async #openReader(entry: Entry): Promise<BlobReader> {
    const what = `document ${entry.documentId}`;
    let reader: BlobReader;
    try {
      reader = await BlobReader.open(
        this.#blobPath('file', entry.documentId),
        this.#keys,
        'file',
        entry.documentId,
        what,
      );
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new CacheIntegrityError(what, 'its file is missing');
      }
      throw error;
    }
    if (reader.size !== entry.size) {
      await reader.close();
      throw new CacheIntegrityError(what, 'it is not the size the document has');
    }
    return reader;
  }

  /** A damaged copy is removed, never served; a pinned one is downloaded again by the next sync. */
  async #dropDamaged(documentId: string, error: CacheIntegrityError): Promise<void> {
    const entry = this.#index.entries[documentId];
    const pinned = entry ? isPinned(entry, this.#index.pins) : false;
    await this.#withLock(documentId, async () => {
      await rm(this.#blobPath('file', documentId), { force: true });
      const current = this.#index.entries[documentId];
      if (current) {
        current.file = 'none';
        await this.#refreshDiskBytes(current);
      }
    });
    await this.#saveIndex();
    this.#emit({
      type: 'problem',
      documentId,
      message: `${error.message} It was removed${pinned ? ' and will be downloaded again' : ''}.`,
    });
    this.#emit({ type: 'changed' });
    if (pinned) this.#syncSoon(0);
  }

  /** The whole file from the server, checked against its SHA-256; resumes after a lost connection. */
  async #downloadWhole(document: DocumentReference, signal?: AbortSignal): Promise<Buffer> {
    const parts: Buffer[] = [];
    let received = 0;
    const hash = createHash('sha256');
    await this.#withRetries(signal, async () => {
      const { url } = await this.#o.api('POST', `/documents/${document.id}/urls`, {
        body: {},
        schema: DocumentUrls,
        signal,
      });
      await downloadRange({
        url,
        fetch: this.#fetch,
        from: received,
        size: document.fileSize,
        signal,
        stallMs: this.#tuning.stallMs,
        onBytes: (bytes) => {
          parts.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
          hash.update(bytes);
          received += bytes.length;
        },
      });
    });
    const actual = hash.digest('hex');
    if (actual !== document.sha256) throw new ChecksumMismatchError(document, actual);
    return Buffer.concat(parts, received);
  }

  /** Keeps a document opened from the server, when it fits without evicting pinned copies. */
  async #keepCopy(document: DocumentReference, bytes: Buffer): Promise<void> {
    if (this.#locks.has(document.id)) return;
    await this.#withLock(document.id, async () => {
      const needed = sealedSizeOf(bytes.length, this.#chunkBytes);
      if (!(await this.#makeRoom(needed, document.id))) return;
      const entry = await this.#upsertEntry(document);
      const writer = await BlobWriter.create(
        this.#blobPath('file', document.id),
        this.#keys,
        'file',
        document.id,
        bytes.length,
        this.#chunkBytes,
      );
      try {
        await writer.write(bytes);
        await writer.finish();
      } catch (error) {
        await writer.close().catch(() => undefined);
        await rm(this.#blobPath('file', document.id), { force: true });
        entry.file = 'none';
        throw error;
      }
      entry.file = 'complete';
      await this.#refreshDiskBytes(entry);
    });
    await this.#saveIndex();
    this.#emit({ type: 'changed' });
  }

  #track(work: Promise<unknown>): void {
    this.#background.add(work);
    void work.finally(() => this.#background.delete(work));
  }

  async #recordView(document: DocumentReference): Promise<void> {
    try {
      await this.#viewLog.record({
        documentId: document.id,
        patientId: document.patientId,
        userId: this.#o.userId?.() ?? null,
        viewedAt: this.#now(),
      });
    } catch (error) {
      this.#report(`The view of document ${document.id} could not be recorded.`, error);
    }
  }

  // ---- space --------------------------------------------------------------------------------

  /** Evicts unpinned copies, least recently used first, until `needed` more bytes fit. */
  async #makeRoom(needed: number, documentId: string): Promise<boolean> {
    const current = this.#index.entries[documentId]?.diskBytes ?? 0;
    const { chosen, fits } = chooseEvictions({
      index: this.#index,
      limitBytes: this.#o.limits().maxBytes,
      neededBytes: Math.max(0, needed - current),
      keep: new Set([documentId, ...this.#locks.keys()]),
    });
    if (!fits) return false;
    for (const id of chosen) await this.#removeEntry(id);
    return true;
  }

  async #removeEntry(documentId: string): Promise<void> {
    const remove = async () => {
      await Promise.all(
        (['file', 'thumbnail', 'document', 'annotations'] as const).map((kind) =>
          rm(this.#blobPath(kind, documentId), { force: true }),
        ),
      );
      delete this.#index.entries[documentId];
    };
    // The sync holds the lock of the document it works on; eviction never picks that one.
    if (this.#locks.has(documentId)) await this.#withLock(documentId, remove);
    else await remove();
  }

  async #removePatient(patientId: string): Promise<void> {
    await rm(this.#blobPath('patient', patientId), { force: true });
    await rm(this.#blobPath('encounters', patientId), { force: true });
    delete this.#index.patients[patientId];
  }

  /** Patient records go when no pin names the patient and none of their documents is here. */
  async #removeOrphanPatients(): Promise<void> {
    const needed = new Set(Object.values(this.#index.entries).map((e) => e.patientId));
    for (const pin of this.#index.pins) {
      if ('patientId' in pin.target) needed.add(pin.target.patientId);
    }
    for (const patientId of Object.keys(this.#index.patients)) {
      if (!needed.has(patientId)) await this.#removePatient(patientId);
    }
  }

  async #refreshDiskBytes(entry: Entry): Promise<void> {
    const sizes = await Promise.all(
      (['file', 'thumbnail', 'document', 'annotations'] as const).map((kind) =>
        stat(this.#blobPath(kind, entry.documentId)).then(
          (s) => s.size,
          () => 0,
        ),
      ),
    );
    entry.diskBytes = sizes.reduce((a, b) => a + b, 0);
  }

  // ---- storage ------------------------------------------------------------------------------

  #blobPath(kind: BlobKind, id: string): string {
    return path.join(this.#blobsDir, this.#keys.nameOf(kind, id));
  }

  /** Seals and writes a small blob atomically; resolves with its size on disk. */
  async #writeBlob(kind: BlobKind, id: string, plain: Uint8Array): Promise<number> {
    const sealed = sealBlob(this.#keys, kind, id, plain, this.#chunkBytes);
    await writeFileAtomic(this.#blobPath(kind, id), sealed, { mode: 0o600 });
    return sealed.length;
  }

  #writeJson(kind: BlobKind, id: string, value: unknown): Promise<number> {
    return this.#writeBlob(kind, id, Buffer.from(JSON.stringify(value) ?? 'null'));
  }

  async #readBlob(kind: BlobKind, id: string): Promise<Buffer> {
    const sealed = await readFile(this.#blobPath(kind, id));
    return openBlob(this.#keys, kind, id, sealed, `the ${kind} of ${id}`);
  }

  async #readJson<T extends z.ZodType>(kind: BlobKind, id: string, schema: T): Promise<z.infer<T>> {
    const plain = await this.#readBlob(kind, id);
    return schema.parse(JSON.parse(plain.toString('utf8')));
  }

  async #readIndex(): Promise<CacheIndex | 'damaged'> {
    let sealed: Buffer;
    try {
      sealed = await readFile(this.#indexFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyIndex();
      throw error;
    }
    try {
      const plain = openBlob(this.#keys, 'index', INDEX_ID, sealed, 'the offline cache index');
      const parsed = CacheIndex.safeParse(JSON.parse(plain.toString('utf8')));
      return parsed.success ? parsed.data : 'damaged';
    } catch (error) {
      if (error instanceof CacheIntegrityError || error instanceof SyntaxError) return 'damaged';
      throw error;
    }
  }

  /** Saves the index; saves run one after another, each writing the index as it is then. */
  #saveIndex(): Promise<void> {
    const save = this.#saving.then(async () => {
      clearTimeout(this.#recencyTimer);
      this.#recencyTimer = undefined;
      const plain = Buffer.from(JSON.stringify(this.#index));
      const sealed = sealBlob(this.#keys, 'index', INDEX_ID, plain, this.#chunkBytes);
      await writeFileAtomic(this.#indexFile, sealed, { mode: 0o600 });
    });
    this.#saving = save.catch(() => undefined);
    return save;
  }

  /** Removes blobs the index does not name, and temporary files: leftovers of a crash. */
  async #removeStrayBlobs(): Promise<void> {
    for (const name of await readdir(this.#o.dir)) {
      if (isTempName(name)) await rm(path.join(this.#o.dir, name), { force: true });
    }
    const named = new Set<string>();
    for (const entry of Object.values(this.#index.entries)) {
      for (const kind of ['file', 'thumbnail', 'document', 'annotations'] as const) {
        named.add(this.#keys.nameOf(kind, entry.documentId));
      }
    }
    for (const patientId of Object.keys(this.#index.patients)) {
      named.add(this.#keys.nameOf('patient', patientId));
      named.add(this.#keys.nameOf('encounters', patientId));
    }
    for (const name of await readdir(this.#blobsDir)) {
      if (!named.has(name))
        await rm(path.join(this.#blobsDir, name), { force: true, recursive: true });
    }
  }

  #touch(entry: Entry): void {
    entry.accessedAt = this.#now();
    if (this.#recencyTimer || this.#stopped) return;
    this.#recencyTimer = setTimeout(() => {
      this.#recencyTimer = undefined;
      this.#saveIndex().catch((error) =>
        this.#report('The offline cache index could not be saved.', error),
      );
    }, RECENCY_SAVE_MS);
    this.#recencyTimer.unref();
  }

  async #withLock<T>(documentId: string, task: () => Promise<T>): Promise<T> {
    while (this.#locks.has(documentId)) await this.#locks.get(documentId);
    const run = task();
    const held = run.then(
      () => undefined,
      () => undefined,
    );
    this.#locks.set(documentId, held);
    try {
      return await run;
    } finally {
      this.#locks.delete(documentId);
    }
  }

  // ---- events -------------------------------------------------------------------------------

  #addBytes(bytes: number): void {
    const bytesDone = this.#progress.bytesDone + bytes;
    this.#progress.bytesDone = bytesDone;
    // One event per chunk's worth of bytes: enough for a progress bar, not a flood.
    if (bytesDone - this.#lastProgressBytes >= this.#chunkBytes) {
      this.#lastProgressBytes = bytesDone;
      this.#emit({ type: 'progress', progress: this.progress() });
    }
  }

  #setProgress(change: Partial<Progress>): void {
    this.#progress = { ...this.#progress, ...change };
    if (change.bytesDone !== undefined) this.#lastProgressBytes = change.bytesDone;
    this.#emit({ type: 'progress', progress: this.progress() });
  }

  #emit(event: CacheEvent): void {
    this.#listeners.emit(event);
  }

  #report(message: string, error: unknown): void {
    (this.#o.reportError ?? ((m, e) => console.error(m, e)))(message, error);
  }

  #now(): string {
    return this.#clock().toISOString();
  }

  /** A thumbnail: small, so fetched whole. */
  async #fetchSmall(url: string, signal: AbortSignal): Promise<Buffer> {
    let response: Response;
    try {
      response = await this.#fetch(url, { signal });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw new DownloadNetworkError(new URL(url).host, messageOf(error));
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new DownloadRefusedError(
        response.status,
        `The thumbnail could not be downloaded (HTTP ${response.status}).`,
      );
    }
    try {
      return Buffer.from(await response.arrayBuffer());
    } catch (error) {
      throw new DownloadNetworkError(new URL(url).host, messageOf(error));
    }
  }
}

function isNetworkError(error: unknown): boolean {
  return error instanceof OfflineError || error instanceof DownloadNetworkError;
}

/** The server says the thing is gone or no longer the user's to see. */
function isGone(error: unknown): boolean {
  return error instanceof ApiProblemError && [403, 404, 410].includes(error.status);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
