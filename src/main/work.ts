// Starts the services that do the front desk's work — the ingest inbox and the durable upload
// queue — and connects them to each other, to the session, to the settings (hot folders, upload
// concurrency; changes apply at once) and to the contract's events.
// Plain Node, like compose.ts, so the headless server and the tests start the same thing.
import path from 'node:path';
import {
  INGEST_CHANGED,
  INGEST_PROGRESS,
  INGEST_SCAN_PAGE,
  UPLOADS_CHANGED,
  type Settings,
} from '../shared/ipc/contract.js';
import type { MainServices } from './compose.js';
import {
  openIngestService,
  type IngestEvent,
  type IngestService,
  type ScanimageTool,
} from './services/ingest/index.js';
import { createUploadQueue, type UploadQueue } from './services/upload/queue.js';
import type { QueueSummary } from './services/upload/types.js';

export interface Work {
  ingest: IngestService;
  queue: UploadQueue;
}

export interface WorkOptions {
  /** the scanimage to scan with (default: `scanimage` on the PATH, with this process's env) */
  scanimage?: ScanimageTool;
  /** where problems nobody asked for are reported, e.g. a hot folder that cannot be watched */
  report?: (message: string) => void;
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
  const report = options.report ?? ((message: string) => console.error(message));
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
      .then((problems) => problems.forEach(report), report);
  };
  applySettings(main.settings.get());
  unsubscribe.push(main.settings.subscribe(applySettings));

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
  return { ingest, queue };
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
    default:
      // Rejections come back in the call's report; hot-folder outcomes show as inbox changes.
      return;
  }
}
