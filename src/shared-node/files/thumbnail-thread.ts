// A worker thread for the thumbnails that are drawn in JavaScript. pdf.js (PDF pages) and
// dicom-parser (DICOM frames) hold the thread they run on: a dense vector page took ~0.9 s,
// during which the desktop's main process answered no IPC (progress stalled) and the API
// server answered no request. sharp's images already decode on libuv's own threads.
//
// One thread, started on first use and stopped after a minute idle, with a heap limit, so a
// hostile file that exhausts memory ends the thread (the thumbnail fails, the next one starts
// a new thread) instead of the process. Where no thread can start at all (a packaging without
// the worker's file, say), thumbnails are drawn on the calling thread, as before.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ThumbnailAnswer, ThumbnailRequest } from './thumbnail-worker.js';
import type { DetectedType, ThumbnailResult } from './types.js';

const IDLE_MS = 60_000;
/** Heap for pdf.js and a DICOM frame: far above any real page, far below the machine. */
const HEAP_LIMIT_MB = 1024;

interface Entry {
  url: URL;
  /** for a TypeScript entry: tsx's ESM API, which the thread registers before importing it */
  tsx?: string;
}

let configured: Entry | null | undefined;

/**
 * Where the worker's program is: a built app (electron-vite bundles thumbnail-worker.ts to a
 * file of its own) says so here; null draws on the calling thread. Unset (or undefined), the
 * TypeScript source runs with tsx's loader, as under `npm start`, `npm run server` and tests.
 */
export function setThumbnailWorker(entry: URL | null | undefined): Promise<void> {
  configured = entry && { url: entry };
  unavailable = false;
  return stopThread();
}

function entry(): Entry | null {
  if (configured !== undefined) return configured;
  // Node 20 applies no --import hooks to a worker's entry module, so the thread registers
  // tsx itself, then imports the TypeScript.
  const api = createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  return {
    url: new URL('./thumbnail-worker.ts', import.meta.url),
    tsx: pathToFileURL(api).href,
  };
}

function newWorker(where: Entry): Worker {
  const options = { resourceLimits: { maxOldGenerationSizeMb: HEAP_LIMIT_MB } };
  if (!where.tsx) return new Worker(where.url, options);
  const source =
    `import(${JSON.stringify(where.tsx)})` +
    `.then((tsx) => { tsx.register(); return import(${JSON.stringify(where.url.href)}); });`;
  return new Worker(source, { ...options, eval: true });
}

interface Waiting {
  resolve(result: ThumbnailResult): void;
}

let thread:
  { worker: Worker; started: Promise<number | null>; pending: Map<number, Waiting> } | undefined;
let nextId = 1;
let idleTimer: NodeJS.Timeout | undefined;
/** set when a thread could not start: from then on thumbnails are drawn here */
let unavailable = false;

/** A new thread; `started` is its id once it runs, or null when it cannot start. */
function startThread(where: Entry): NonNullable<typeof thread> {
  const pending = new Map<number, Waiting>();
  const worker = newWorker(where);
  worker.unref();
  let ready = false;
  const started = new Promise<number | null>((resolve) => {
    worker.on('message', (answer: ThumbnailAnswer) => {
      if ('ready' in answer) {
        ready = true;
        resolve(answer.threadId);
        return;
      }
      const waiting = pending.get(answer.id);
      if (!waiting) return;
      pending.delete(answer.id);
      const { result } = answer;
      // A Buffer arrives as a plain Uint8Array: make it a Buffer again, without a copy.
      if (result.status === 'ready') {
        const { buffer, byteOffset, byteLength } = result.jpeg;
        result.jpeg = Buffer.from(buffer, byteOffset, byteLength);
      }
      waiting.resolve(result);
      if (pending.size === 0) idle();
    });
    let failure = '';
    worker.on('error', (error) => (failure = error.message));
    worker.on('exit', (code) => {
      if (thread?.worker === worker) thread = undefined;
      if (!ready) {
        console.error(
          `Thumbnails are drawn on the main thread: their worker thread did not start (${failure || `exit code ${code}`}).`,
        );
        unavailable = true;
        resolve(null);
      }
      const reason =
        failure && /memory/i.test(failure)
          ? 'drawing it needed more memory than a preview may use'
          : `the preview was stopped (${failure || `exit code ${code}`})`;
      for (const waiting of pending.values()) waiting.resolve({ status: 'failed', reason });
      pending.clear();
    });
  });
  return { worker, started, pending };
}

function idle(): void {
  clearTimeout(idleTimer);
  thread?.worker.unref();
  idleTimer = setTimeout(() => void stopThread(), IDLE_MS);
  idleTimer.unref();
}

async function stopThread(): Promise<void> {
  clearTimeout(idleTimer);
  const stopping = thread;
  thread = undefined;
  if (stopping) await stopping.worker.terminate();
}

/**
 * The thumbnail drawn on the worker thread, or undefined when no thread can run (the caller
 * then draws it itself).
 */
export async function thumbnailInThread(
  path: string,
  type: DetectedType,
  options: ThumbnailRequest['options'],
): Promise<ThumbnailResult | undefined> {
  const where = entry();
  if (unavailable || !where) return undefined;
  thread ??= startThread(where);
  const current = thread;
  if ((await current.started) === null) return undefined;
  // It stopped meanwhile (idle, or a file before this one took it down): start another.
  if (thread !== current) return thumbnailInThread(path, type, options);
  clearTimeout(idleTimer);
  current.worker.ref();
  const id = nextId++;
  return new Promise<ThumbnailResult>((resolve) => {
    current.pending.set(id, { resolve });
    current.worker.postMessage({ id, path, type, options } satisfies ThumbnailRequest);
  });
}

/** The worker thread's id while it runs (for tests), else null. */
export async function thumbnailThreadId(): Promise<number | null> {
  return thread ? thread.started : null;
}
