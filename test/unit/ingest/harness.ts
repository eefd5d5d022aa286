// A real ingest service in a scratch folder, with the one thing that is not ours — the upload
// queue — as a thin recorder: enqueue remembers entries, isQueued answers from them, and a test
// can make enqueue fail or finish entries as the upload engine would.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  openIngestService,
  type IngestEvent,
  type IngestService,
  type IngestServiceOptions,
  type QueueEntry,
} from '../../../src/main/services/ingest/index.js';

export class RecordingQueue {
  readonly batches: { entries: QueueEntry[]; batchId: string }[] = [];
  private readonly held = new Map<string, number>();
  /** enqueue rejects with this */
  failWith: Error | undefined;
  /** enqueue takes this many entries and then never returns, like a process that died */
  dieAfter: number | undefined;

  enqueue = async (entries: QueueEntry[], { batchId }: { batchId: string }): Promise<void> => {
    if (this.failWith !== undefined) throw this.failWith;
    const taken = entries.slice(0, this.dieAfter ?? entries.length);
    this.batches.push({ entries: taken, batchId });
    for (const entry of taken) this.held.set(entry.sha256, (this.held.get(entry.sha256) ?? 0) + 1);
    if (this.dieAfter !== undefined) await new Promise(() => undefined);
  };

  isQueued = (sha256: string): boolean => this.held.has(sha256);

  /** What the upload engine does once the server confirmed: the entry leaves the queue. */
  finish(sha256: string): void {
    const count = (this.held.get(sha256) ?? 0) - 1;
    if (count <= 0) this.held.delete(sha256);
    else this.held.set(sha256, count);
  }
}

export interface World {
  root: string;
  queue: RecordingQueue;
  service: IngestService;
  events: IngestEvent[];
  /** Closes the service and opens a new one on the same folder, as after a restart. */
  restart(): Promise<IngestService>;
  close(): Promise<void>;
}

export async function openWorld(
  options: Partial<Omit<IngestServiceOptions, 'root' | 'enqueue' | 'isQueued'>> = {},
): Promise<World> {
  const root = await mkdtemp(path.join(tmpdir(), 'medaius-ingest-'));
  const queue = new RecordingQueue();
  const events: IngestEvent[] = [];
  const open = async (): Promise<IngestService> => {
    const service = await openIngestService({
      root,
      enqueue: queue.enqueue,
      isQueued: queue.isQueued,
      onListenerError: (error) => {
        throw error;
      },
      ...options,
    });
    service.subscribe((event) => events.push(event));
    return service;
  };
  const world: World = {
    root,
    queue,
    events,
    service: await open(),
    async restart() {
      await world.service.close();
      world.service = await open();
      return world.service;
    },
    async close() {
      await world.service.close();
      await rm(root, { recursive: true, force: true });
    },
  };
  return world;
}

/** Every file in the staging store, as <sha256>.<ext>. */
export async function stagedNames(root: string): Promise<string[]> {
  const staging = path.join(root, 'staging');
  const names: string[] = [];
  for (const shard of await readdir(staging)) {
    if (!/^[0-9a-f]{2}$/.test(shard)) continue;
    names.push(...(await readdir(path.join(staging, shard))));
  }
  return names.sort();
}
