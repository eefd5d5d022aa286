// What the upload engine tests share: staged files on disk, an engine wired to a real API, an
// event recorder, a wait helper, and the server-side view (documents and their bytes).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApiHttp } from '../../../src/main/services/api/http.js';
import {
  createUploadQueue,
  type ItemProgress,
  type QueueEvent,
  type QueueItem,
  type QueueSummary,
  type UploadQueue,
  type UploadQueueOptions,
} from '../../../src/main/services/upload/queue.js';
import { sha256 } from '../../support/files.js';
import type { World } from '../../support/world.js';

export const MiB = 1024 * 1024;

/** A temporary directory removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function stage(
  dir: string,
  bytes: Buffer,
  meta: { fileName: string; contentType: string; patientId: string; title?: string },
): Promise<QueueItem> {
  const stagedPath = path.join(dir, `${randomUUID()}-${meta.fileName}`);
  await writeFile(stagedPath, bytes);
  return {
    fileName: meta.fileName,
    contentType: meta.contentType,
    size: bytes.length,
    sha256: sha256(bytes),
    stagedPath,
    patientId: meta.patientId,
    category: 'other',
    title: meta.title ?? meta.fileName,
  };
}

export interface TestEngine {
  queue: UploadQueue;
  events: QueueEvent[];
  /** ids whose staged copies were released, in order */
  released: string[];
  itemEvents(id: string): ItemProgress[];
  item(id: string): ItemProgress | undefined;
  /** Sets the token the engine sends (null: signed out). */
  setToken(token: string | null): void;
  close(): Promise<void>;
}

export async function startEngine(
  baseUrl: () => string,
  token: string | null,
  options: Partial<UploadQueueOptions> = {},
): Promise<TestEngine> {
  const queueDir = tempDir('medaius-queue-');
  let current = token;
  const released: string[] = [];
  const queue = createUploadQueue({
    dir: queueDir.dir,
    api: createApiHttp({ baseUrl, token: () => current, fetch, timeoutMs: 10_000 }),
    releaseStaged: async ({ id, item }) => {
      await rm(item.stagedPath, { force: true });
      released.push(id);
    },
    stallTimeoutMs: 5_000,
    retryDelayMs: 100,
    maxRetryDelayMs: 1_000,
    ...options,
  });
  const events: QueueEvent[] = [];
  queue.subscribe((event) => events.push(event));
  await queue.start();
  const itemEvents = (id: string) =>
    events.flatMap((e) => (e.type === 'item' && e.item.id === id ? [e.item] : []));
  return {
    queue,
    events,
    released,
    itemEvents,
    item: (id) => queue.list().find((i) => i.id === id),
    setToken: (t) => {
      current = t;
    },
    close: async () => {
      await queue.stop();
      queueDir.remove();
    },
  };
}

/** Polls `check` until it returns something truthy; fails naming `what` after the timeout. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Whether the last event of each item said one of `states`. Events, not list(): an event
 * follows the journal write, as the renderer sees it.
 */
export function allIn(engine: TestEngine, ids: string[], states: ItemProgress['state'][]) {
  return ids.every((id) => {
    const last = engine.itemEvents(id).at(-1);
    return last !== undefined && states.includes(last.state);
  });
}

/** The last summary event matches `expected`. */
export function summaryIs(engine: TestEngine, expected: Partial<QueueSummary>) {
  const last = engine.events.findLast((e) => e.type === 'summary');
  return (
    last?.type === 'summary' &&
    Object.entries(expected).every(([k, v]) => last.summary[k as keyof QueueSummary] === v)
  );
}

export interface ServerDocument {
  id: string;
  title: string;
  fileName: string;
  sha256: string;
  fileSize: number;
}

/** Every document of the patient, all pages. */
export async function documentsOf(
  w: World,
  token: string,
  patientId: string,
): Promise<ServerDocument[]> {
  const docs: ServerDocument[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `patientId=${patientId}&limit=100${cursor ? `&cursor=${cursor}` : ''}`;
    const res = await w.call(token, 'GET', `/api/v1/documents?${query}`);
    if (res.statusCode !== 200) throw new Error(`listing documents: ${res.body}`);
    const page = res.json<{ items: ServerDocument[]; nextCursor: string | null }>();
    docs.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return docs;
}

/** SHA-256 of the document's bytes as a browser would download them. */
export async function downloadedSha256(w: World, token: string, documentId: string) {
  const urls = await w.call(token, 'POST', `/api/v1/documents/${documentId}/urls`, {});
  if (urls.statusCode !== 200) throw new Error(`urls of ${documentId}: ${urls.body}`);
  const res = await fetch(urls.json<{ url: string }>().url);
  if (!res.ok) throw new Error(`download of ${documentId}: HTTP ${res.status}`);
  return sha256(Buffer.from(await res.arrayBuffer()));
}

export async function uploadState(w: World, token: string, uploadId: string) {
  const res = await w.call(token, 'GET', `/api/v1/uploads/${uploadId}`);
  return { status: res.statusCode, body: res.json<{ status: string }>() };
}
