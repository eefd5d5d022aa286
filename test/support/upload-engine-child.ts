// Runs the upload engine in its own process, for tests that kill it (SIGKILL) and start it again
// on the same queue directory, and for the benchmark that measures its memory. Run with
// `node --import tsx upload-engine-child.ts <config.json>`: tsx's own CLI would run the script
// in a grandchild that a SIGKILL of the CLI leaves running.
//
// The first run enqueues the configured items; a marker file keeps later runs from enqueuing
// them again. Exits 0 once every item is done (1 if any failed) after printing one JSON line:
// { done, failed, errors, maxRssBytes, sentMs, elapsedMs }, times counted from when the queue
// ran (sentMs: until every byte was accepted). Prints "started" once the queue runs, and
// "event" for every queue event, so a test can kill it at a moment tied to its progress.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createApiHttp } from '../../src/main/services/api/http.js';
import {
  createUploadQueue,
  type QueueItem,
  type UploadQueueOptions,
} from '../../src/main/services/upload/queue.js';

export interface ChildConfig {
  baseUrl: string;
  token: string;
  queueDir: string;
  /** written after the items were queued */
  marker: string;
  items: QueueItem[];
  batchId?: string;
  engine?: Pick<
    UploadQueueOptions,
    'concurrency' | 'stallTimeoutMs' | 'retryDelayMs' | 'maxRetryDelayMs'
  >;
}

const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as ChildConfig;
const queue = createUploadQueue({
  dir: config.queueDir,
  api: createApiHttp({ baseUrl: () => config.baseUrl, token: () => config.token, fetch }),
  releaseStaged: ({ item }) => rm(item.stagedPath, { force: true }),
  ...config.engine,
});
await queue.start();
if (!existsSync(config.marker)) {
  // An earlier run may have queued them and died before it wrote the marker.
  if (queue.list().length === 0) await queue.enqueue(config.items, { batchId: config.batchId });
  writeFileSync(config.marker, 'queued\n');
}
process.stdout.write('started\n');
const startedAt = Date.now();
let sentMs: number | null = null;

const finished = () => queue.list().every((i) => i.state === 'done' || i.state === 'failed');
await new Promise<void>((resolve) => {
  const unsubscribe = queue.subscribe(() => {
    process.stdout.write('event\n');
    const items = queue.list();
    if (sentMs === null && items.every((i) => ['committing', 'done'].includes(i.state))) {
      sentMs = Date.now() - startedAt;
    }
    if (!finished()) return;
    unsubscribe();
    resolve();
  });
  if (finished()) resolve();
});
const items = queue.list();
await queue.stop();
const failed = items.filter((i) => i.state === 'failed');
process.stdout.write(
  `${JSON.stringify({
    done: items.filter((i) => i.state === 'done').length,
    failed: failed.length,
    errors: failed.map((i) => i.error),
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    sentMs,
    elapsedMs: Date.now() - startedAt,
  })}\n`,
);
process.exit(failed.length > 0 ? 1 : 0);
