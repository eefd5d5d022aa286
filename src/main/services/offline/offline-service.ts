// What main does for "available offline" beyond the cache itself: the cache, the loopback server
// that hands its bytes to the renderer, and the outbox of annotations made offline, started
// together and kept in step with the session — changes made offline are sent, and pins brought
// up to date, whenever the server answers again. The answers of the offline channels are built here.
import { isDeepStrictEqual } from 'node:util';
import type { Annotation } from '../../../shared/api/annotations.js';
import type {
  AnnotationConflictItem,
  OfflinePin,
  OfflineStatus,
  OfflineTarget,
} from '../../../shared/ipc/offline.js';
import type { ApiHttp } from '../api/http.js';
import type { OfflineCache, Pin } from '../cache/index.js';
import type { AnnotationOutbox, OutboxUser } from './annotation-outbox.js';
import type { ContentServer } from './content-server.js';

export interface OfflineSession {
  api: ApiHttp;
  state(): { signedIn: true; offline: boolean; user: OutboxUser } | { signedIn: false };
}

export interface OfflineServiceOptions {
  cache: OfflineCache;
  content: ContentServer;
  outbox: AnnotationOutbox;
  session: OfflineSession;
  maxAgeMs: number | null;
  report: (message: string) => void;
}

export class OfflineService {
  readonly cache: OfflineCache;
  readonly content: ContentServer;
  readonly outbox: AnnotationOutbox;
  readonly maxAgeMs: number | null;
  readonly #session: OfflineSession;
  readonly #report: (message: string) => void;
  #flushing: Promise<void> | null = null;
  readonly #keeping = new Map<string, Promise<void>>();
  #flushAgain = false;

  constructor(o: OfflineServiceOptions) {
    this.cache = o.cache;
    this.content = o.content;
    this.outbox = o.outbox;
    this.maxAgeMs = o.maxAgeMs;
    this.#session = o.session;
    this.#report = o.report;
  }

  /** The signed-in user, for annotations made offline. */
  user(): OutboxUser | null {
    const state = this.#session.state();
    return state.signedIn ? { id: state.user.id, name: state.user.name } : null;
  }

  /**
   * Sends annotation changes made offline, then lets the cache bring pins up to date (its pass
   * also sends the views made offline). Calls while one runs make it go once more afterwards.
   */
  flush(): Promise<void> {
    if (this.#flushing) {
      this.#flushAgain = true;
      return this.#flushing;
    }
    this.#flushing = (async () => {
      do {
        this.#flushAgain = false;
        const state = this.#session.state();
        if (!state.signedIn || state.offline) return;
        try {
          const result = await this.outbox.flush(this.#session.api, state.user.id);
          if (result.conflicts > 0) {
            this.#report(
              `${result.conflicts} annotation(s) changed offline conflict with changes on the server; both versions are kept until you choose.`,
            );
          }
        } catch (error) {
          this.#report(`Annotations made offline could not be sent: ${(error as Error).message}`);
        }
        this.cache.networkChanged();
      } while (this.#flushAgain);
    })().finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  /**
   * Keeps a copy of a document just opened from the server, in the background, so the next
   * open is served from this computer (when the size limit allows; pinned copies are never
   * evicted for it).
   */
  keepCopy(documentId: string): void {
    if (this.#keeping.has(documentId)) return;
    const run = this.cache
      .open(documentId)
      .then(
        () => undefined,
        (error: unknown) =>
          this.#report(
            `Document ${documentId} could not be kept on this computer for quick opening: ${(error as Error).message}`,
          ),
      )
      .finally(() => this.#keeping.delete(documentId));
    this.#keeping.set(documentId, run);
  }

  /** Waits for copies being kept in the background; called before the cache stops. */
  async settle(): Promise<void> {
    await Promise.all(this.#keeping.values());
  }

  async pin(target: OfflineTarget): Promise<OfflineStatus> {
    await this.cache.pin(target);
    return this.status();
  }

  async unpin(target: OfflineTarget): Promise<OfflineStatus> {
    const pin = this.cache.pins().find((p) => isDeepStrictEqual(p.target, target));
    if (pin) await this.cache.unpin(pin.id);
    return this.status();
  }

  async syncNow(): Promise<OfflineStatus> {
    await this.flush();
    await this.cache.syncNow();
    return this.status();
  }

  /** Removes every offline copy and pin; links handed out stop working. Unsent work stays. */
  async wipe(): Promise<OfflineStatus> {
    this.content.revokeAll();
    await this.cache.wipe();
    return this.status();
  }

  async evict(allowPinned: boolean): Promise<{ removed: string[]; status: OfflineStatus }> {
    const removed = await this.cache.evict({ allowPinned });
    return { removed, status: await this.status() };
  }

  conflicts(): { items: AnnotationConflictItem[] } {
    return { items: this.outbox.conflicts() };
  }

  async resolve(
    id: string,
    keep: 'mine' | 'theirs',
  ): Promise<{ annotation: Annotation | null; conflicts: { items: AnnotationConflictItem[] } }> {
    const annotation = await this.outbox.resolve(this.#session.api, id, keep);
    this.cache.networkChanged();
    return { annotation, conflicts: this.conflicts() };
  }

  async status(): Promise<OfflineStatus> {
    const sync = this.cache.progress();
    const usage = await this.cache.usage();
    const pins: OfflinePin[] = [];
    for (const pin of this.cache.pins()) pins.push(await this.#describe(pin, sync));
    return {
      available: true,
      pins,
      sync,
      usage,
      maxAgeMs: this.maxAgeMs,
      needsEvictionConsent: sync.overLimit > 0 || usage.usedBytes > usage.limitBytes,
      pendingAnnotations: this.outbox.pending(),
      pendingViews: (await this.cache.pendingViews()).length,
      conflicts: this.outbox.conflicts().length,
    };
  }

  async #describe(pin: Pin, sync: ReturnType<OfflineCache['progress']>): Promise<OfflinePin> {
    const t = pin.target;
    let label: string;
    let documents;
    if ('patientId' in t) {
      const patient = await this.cache.cachedPatient(t.patientId);
      label = patient
        ? `${patient.givenName} ${patient.familyName} (MRN ${patient.mrn})`
        : `Patient ${t.patientId.slice(0, 8)}`;
      documents = await this.cache.cachedDocuments({ patientId: t.patientId });
    } else if ('encounterId' in t) {
      documents = await this.cache.cachedDocuments({ encounterId: t.encounterId });
      const patientId = documents[0]?.patientId;
      const encounter = patientId
        ? (await this.cache.cachedEncounters(patientId))?.find((e) => e.id === t.encounterId)
        : undefined;
      label = encounter
        ? `${encounter.type}, ${encounter.startedAt.slice(0, 10)}`
        : `Encounter ${t.encounterId.slice(0, 8)}`;
    } else {
      const all = await Promise.all(t.documentIds.map((id) => this.cache.cachedDocument(id)));
      const cached = await this.cache.cachedDocuments();
      documents = cached.filter((d) => t.documentIds.includes(d.id));
      label =
        t.documentIds.length === 1
          ? (all[0]?.title ?? `Document ${t.documentIds[0]!.slice(0, 8)}`)
          : `${t.documentIds.length} documents`;
    }
    const synced = sync.lastSyncedAt !== null && sync.lastSyncedAt >= pin.createdAt;
    const state: OfflinePin['state'] =
      sync.state === 'syncing'
        ? 'syncing'
        : sync.state === 'offline' || sync.state === 'failed'
          ? sync.state
          : synced
            ? 'ready'
            : 'waiting';
    return {
      id: pin.id,
      target: pin.target,
      label,
      state,
      documentsCached: documents.length,
      bytes: documents.reduce((n, d) => n + d.fileSize, 0),
      createdAt: pin.createdAt,
    };
  }
}
