// Starts the services that do the front desk's work — the ingest inbox and the durable upload
// queue — and connects them to each other, to the session and to the contract's events.
// Plain Node, like compose.ts, so the headless server and the tests start the same thing.
import path from 'node:path';
import { UPLOADS_CHANGED } from '../shared/ipc/contract.js';
import type { MainServices } from './compose.js';
import { openIngestService, type IngestService } from './services/ingest/index.js';
import { createUploadQueue, type UploadQueue } from './services/upload/queue.js';
import type { QueueSummary } from './services/upload/types.js';

export interface Work {
  ingest: IngestService;
  queue: UploadQueue;
}

export async function startWork(main: MainServices, dataDir: string): Promise<Work> {
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
  });
  late.ingest = ingest;

  let summary: QueueSummary = { pending: 0, online: true, signedIn: main.session.state().signedIn };
  const unsubscribe = [
    queue.subscribe((event) => {
      if (event.type === 'summary') summary = event.summary;
      main.events.publish(UPLOADS_CHANGED, event);
    }),
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

  main.uploads.current = {
    state: () => ({ items: queue.list(), summary }),
    pause: (id) => queue.pause(id),
    resume: (id) => queue.resume(id),
    cancel: (id) => queue.cancel(id),
  };
  // Queued work is flushed to disk before anything else stops.
  main.stoppables.unshift(
    { name: 'upload queue', stop: () => queue.stop() },
    { name: 'ingest', stop: () => ingest.close() },
    { name: 'work events', stop: () => unsubscribe.forEach((stop) => stop()) },
  );
  return { ingest, queue };
}
