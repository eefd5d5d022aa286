// Starts the services that do the front desk's work — the ingest inbox, the durable upload
// queue, and the offline cache with the outbox of annotations made offline — and connects them to each other, to the session, to the settings (hot folders, upload
// concurrency; changes apply at once) and to the contract's events.
// Plain Node, like compose.ts, so the headless server and the tests start the same thing.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AnnotationList } from '../shared/api/annotations.js';
import { MAX_OFFLINE_VIEWS_PER_REQUEST, OfflineViewsResult } from '../shared/api/offline.js';
import {
  INGEST_CHANGED,
  INGEST_PROGRESS,
  INGEST_SCAN_PAGE,
  OFFLINE_CHANGED,
  OFFLINE_CONFLICTS_CHANGED,
  UPLOADS_CHANGED,
  type Settings,
} from '../shared/ipc/contract.js';
import type { MainServices } from './compose.js';
import { megabytes } from './offline-handlers.js';
import { openOfflineCache } from './services/cache/index.js';
import { writeFileAtomic } from './services/fs/atomic-file.js';
import {
  openIngestService,
  type IngestEvent,
  type IngestService,
  type ScanimageTool,
} from './services/ingest/index.js';
import { AnnotationOutbox } from './services/offline/annotation-outbox.js';
import { startContentServer } from './services/offline/content-server.js';
import { OfflineService } from './services/offline/offline-service.js';
import { createUploadQueue, type UploadQueue } from './services/upload/queue.js';
import type { QueueSummary } from './services/upload/types.js';

export interface Work {
  ingest: IngestService;
  queue: UploadQueue;
  /** undefined when the offline cache could not start (reported); uploads run regardless */
  offline: OfflineService | undefined;
}

export interface WorkOptions {
  /** the scanimage to scan with (default: `scanimage` on the PATH, with this process's env) */
  scanimage?: ScanimageTool;
  /** where problems nobody asked for are reported, e.g. a hot folder that cannot be watched */
  report?: (message: string) => void;
  /** for the offline cache's downloads of signed URLs (default: globalThis.fetch) */
  fetch?: typeof globalThis.fetch;
  /**
   * The administrator's maximum age of offline copies (default: MEDAIUS_OFFLINE_MAX_AGE_HOURS
   * of this process's environment; unset means copies do not expire).
   */
  offlineMaxAgeMs?: number | null;
}

/** The administrator's maximum age of offline copies from MEDAIUS_OFFLINE_MAX_AGE_HOURS. */
export function offlineMaxAgeFromEnv(env: NodeJS.ProcessEnv): number | null {
  const raw = env.MEDAIUS_OFFLINE_MAX_AGE_HOURS?.trim();
  if (!raw) return null;
  const hours = Number(raw);
  if (!Number.isFinite(hours) || hours <= 0) {
    throw new Error(
      `MEDAIUS_OFFLINE_MAX_AGE_HOURS must be a positive number of hours, not "${raw}".`,
    );
  }
  return Math.round(hours * 3_600_000);
}

/**
 * The whole inbox goes out at most this often: a drop of hundreds of files changes it with every
 * file, and each snapshot carries every item.
 */
const INBOX_SNAPSHOT_MS = 50;

export async function startWork(
  main: MainServices,
  dataDir: string,
  options: WorkOptions = {},
): Promise<Work> {
  // Problems nobody asked about reach the user as notices (and the log), not only the console.
  const report = (message: string): void => {
    main.notices.add(message);
    if (options.report) options.report(message);
    else console.error(message);
  };
  // The queue releases staged bytes through ingest, and ingest asks the queue before deleting
  // any: each needs the other, so the queue reaches ingest through this late binding.
  const late: { ingest?: IngestService } = {};
  const queue = createUploadQueue({
    dir: path.join(dataDir, 'upload-queue'),
    api: main.session.api,
    concurrency: main.settings.get().uploadConcurrency,
    releaseStaged: async ({ item }) => {
      await late.ingest?.release(item.sha256);
    },
  });
  const ingest = await openIngestService({
    root: path.join(dataDir, 'ingest'),
    enqueue: (entries, { batchId }) => queue.enqueue(entries, { batchId }),
    isQueued: (sha256) => queue.holdsStaged(sha256),
    ...(options.scanimage ? { scanimage: options.scanimage } : {}),
  });
  late.ingest = ingest;
  for (const problem of ingest.openProblems) report(problem);

  const inbox = inboxPublisher(main, ingest);
  let summary: QueueSummary = { pending: 0, online: true, signedIn: main.session.state().signedIn };
  const unsubscribe = [
    queue.subscribe((event) => {
      if (event.type === 'summary') summary = event.summary;
      main.events.publish(UPLOADS_CHANGED, event);
    }),
    ingest.subscribe((event) => publishIngestEvent(main, inbox, report, event)),
    main.session.subscribe((state) => {
      if (!state.signedIn) return;
      queue.tokenChanged();
      if (!state.offline) queue.networkChanged();
    }),
  ];
  await queue.start();
  // Ingest opened before the queue had read its journal, so it deleted no staged bytes then;
  // now the queue can say which it still needs, and the rest go.
  await ingest.sweep();

  // Settings that steer running work take effect when they change, not at the next start.
  let hotFolders: Promise<void> = Promise.resolve();
  const applySettings = (settings: Settings): void => {
    queue.setConcurrency(settings.uploadConcurrency);
    const folders = settings.hotFolders.map((folder) => ({
      dir: folder.path,
      processedDir: path.join(folder.path, folder.processedSubfolder),
    }));
    hotFolders = hotFolders
      .then(() => ingest.setHotFolders(folders))
      .then(
        (problems) => problems.forEach(report),
        (error: unknown) => report(`The hot folders could not be set up: ${String(error)}`),
      );
  };
  applySettings(main.settings.get());
  unsubscribe.push(main.settings.subscribe(applySettings));

  // Offline review is an addition: a cache that cannot open (a keyring that fails, a full disk)
  // must not keep the upload queue from sending what the front desk filed.
  const offline = await startOffline(main, dataDir, options, report).catch((error: unknown) => {
    report(
      `Offline copies are not available this time: ${error instanceof Error ? error.message : String(error)}`,
    );
    return undefined;
  });

  main.uploads.current = {
    state: () => ({ items: queue.list(), summary }),
    pause: (id) => queue.pause(id),
    resume: (id) => queue.resume(id),
    cancel: (id) => queue.cancel(id),
    retry: (id) => queue.retry(id),
  };
  main.ingest.current = ingest;
  inbox.publishNow();
  // Queued work is flushed to disk before anything else stops.
  main.stoppables.unshift(
    { name: 'upload queue', stop: () => queue.stop() },
    {
      name: 'work events',
      stop: async () => {
        unsubscribe.forEach((stop) => stop());
        inbox.stop();
        await hotFolders;
      },
    },
    { name: 'ingest', stop: () => ingest.close() },
  );
  return { ingest, queue, offline };
}

/** How often, at most, the whole offline status goes out while a download reports progress. */
const OFFLINE_STATUS_MS = 250;

/**
 * Opens the offline cache (`<data dir>/offline-cache`), its loopback content server and the
 * annotation outbox (`<data dir>/annotation-outbox`, beside the upload queue), and keeps them in
 * step with the session: pins are brought up to date and offline work is sent whenever the
 * user is signed in and the server answers. Stopped before the session, after the queue.
 */
async function startOffline(
  main: MainServices,
  dataDir: string,
  options: WorkOptions,
  report: (message: string) => void,
): Promise<OfflineService> {
  const api = main.session.api;
  const maxAgeMs =
    options.offlineMaxAgeMs === undefined
      ? offlineMaxAgeFromEnv(process.env)
      : options.offlineMaxAgeMs;
  const signedInUser = () => {
    const state = main.session.state();
    return state.signedIn ? state.user : null;
  };
  const cache = await openOfflineCache({
    dir: path.join(dataDir, 'offline-cache'),
    secrets: main.secrets,
    api,
    fetch: options.fetch ?? globalThis.fetch,
    limits: () => ({ maxBytes: megabytes(main.settings.get().cacheSizeMb), maxAgeMs }),
    userId: () => signedInUser()?.id ?? null,
    annotations: (documentId, signal) =>
      api('GET', `/documents/${documentId}/annotations`, { schema: AnnotationList, signal }),
    sendViews: async (views) => {
      // Each view goes under the user who made it: views of another user of this computer wait
      // for their sign-in. The API ignores views it has (by id), so sending ours again is harmless.
      const me = signedInUser()?.id ?? null;
      const ours = views.filter((v) => v.userId === null || v.userId === me);
      for (let i = 0; i < ours.length; i += MAX_OFFLINE_VIEWS_PER_REQUEST) {
        const batch = ours.slice(i, i + MAX_OFFLINE_VIEWS_PER_REQUEST);
        await api('POST', '/audit/offline-views', {
          body: {
            views: batch.map(({ id, documentId, viewedAt }) => ({ id, documentId, viewedAt })),
          },
          schema: OfflineViewsResult,
        });
      }
      const theirs = views.length - ours.length;
      if (theirs > 0) {
        throw new Error(
          `${theirs} document view(s) made offline by another user of this computer wait until they sign in here.`,
        );
      }
    },
    reportError: (message, error) =>
      report(`${message} ${error instanceof Error ? error.message : String(error)}`),
  });
  let content: Awaited<ReturnType<typeof startContentServer>> | undefined;
  let opened: Awaited<ReturnType<typeof AnnotationOutbox.open>>;
  try {
    content = await startContentServer({ cache: () => cache });
    opened = await AnnotationOutbox.open({
      file: path.join(dataDir, 'annotation-outbox'),
      secrets: main.secrets,
    });
  } catch (error) {
    await content?.close();
    await cache.stop();
    throw error;
  }
  const { outbox, problem } = opened;
  if (problem) report(problem);
  const offline = new OfflineService({
    cache,
    content,
    outbox,
    session: main.session,
    maxAgeMs,
    report,
  });

  let timer: NodeJS.Timeout | undefined;
  const publishStatus = (): void => {
    timer ??= setTimeout(() => {
      timer = undefined;
      offline.status().then(
        (status) => main.events.publish(OFFLINE_CHANGED, status),
        (error: unknown) => report(`The offline status could not be read: ${String(error)}`),
      );
    }, OFFLINE_STATUS_MS);
  };
  // Offline copies are the pins of the user who made them, read with their access: another
  // user signing in on this computer starts from an empty cache rather than read them offline.
  const ownerFile = path.join(dataDir, 'offline-cache-owner');
  let owner: string | null | undefined;
  let sessionWork: Promise<void> = Promise.resolve();
  const onSignedIn = async (userId: string, online: boolean): Promise<void> => {
    owner ??= await readFile(ownerFile, 'utf8').then(
      (text) => text.trim() || null,
      () => null,
    );
    if (owner !== userId) {
      if (owner !== null) {
        report('Another user signed in: the offline copies of the previous user were removed.');
        await offline.wipe();
      }
      await writeFileAtomic(ownerFile, userId, { mode: 0o600 });
      owner = userId;
    }
    cache.start();
    if (online) await offline.flush();
  };
  const onSession = (state: ReturnType<typeof main.session.state>): void => {
    if (!state.signedIn) {
      content.revokeAll();
      void cache.cancelSync();
      return;
    }
    sessionWork = sessionWork
      .then(() => onSignedIn(state.user.id, !state.offline))
      .catch((error: unknown) =>
        report(`Offline copies could not be brought up to date: ${String(error)}`),
      );
  };
  const unsubscribe = [
    cache.subscribe((event) => {
      if (event.type === 'problem') report(event.message);
      publishStatus();
    }),
    outbox.subscribe((event) => {
      if (event.type === 'conflicts') {
        main.events.publish(OFFLINE_CONFLICTS_CHANGED, { items: event.items });
      }
      publishStatus();
    }),
    main.session.subscribe(onSession),
    // A lower limit applies at once; pinned copies stay until the user agrees.
    main.settings.subscribe(() => {
      void cache.evict().then(publishStatus, (error: unknown) => report(String(error)));
    }),
  ];
  onSession(main.session.state());
  main.offline.current = offline;
  main.stoppables.unshift({
    name: 'offline cache',
    stop: async () => {
      unsubscribe.forEach((stop) => stop());
      clearTimeout(timer);
      await sessionWork;
      await offline.settle();
      await content.close();
      await cache.stop();
    },
  });
  return offline;
}

/** Publishes the whole inbox after changes, coalescing bursts into one snapshot. */
function inboxPublisher(main: MainServices, ingest: IngestService) {
  let timer: NodeJS.Timeout | undefined;
  const publishNow = (): void => {
    clearTimeout(timer);
    timer = undefined;
    main.events.publish(INGEST_CHANGED, { items: ingest.listItems() });
  };
  return {
    publishNow,
    changed(): void {
      timer ??= setTimeout(publishNow, INBOX_SNAPSHOT_MS);
    },
    stop(): void {
      clearTimeout(timer);
    },
  };
}

function publishIngestEvent(
  main: MainServices,
  inbox: ReturnType<typeof inboxPublisher>,
  report: (message: string) => void,
  event: IngestEvent,
): void {
  switch (event.type) {
    case 'inbox-changed':
      inbox.changed();
      return;
    case 'scan-progress':
      main.events.publish(INGEST_SCAN_PAGE, { jobId: event.jobId, page: event.page });
      return;
    case 'ingest-progress':
      main.events.publish(INGEST_PROGRESS, {
        jobId: event.jobId,
        done: event.done,
        total: event.total,
        ...(event.fileName === undefined ? {} : { fileName: event.fileName }),
      });
      return;
    case 'hot-folder-error':
      report(`The hot folder ${event.folder}: ${event.reason}.`);
      return;
    case 'hot-folder':
      if (event.outcome === 'rejected') {
        const reason = (event.reason ?? 'it was refused')
          .replace(`${event.fileName}: `, '')
          .replace(/\.$/, '');
        report(
          `The hot folder ${event.folder} did not take ${event.fileName}: ${reason}. It is left there.`,
        );
      }
      return;
    default:
      // Rejections come back in the call's report; hot-folder outcomes show as inbox changes.
      return;
  }
}
