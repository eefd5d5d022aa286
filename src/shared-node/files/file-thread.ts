// A worker thread for the work on files that runs in JavaScript: pdf.js (drawing PDF pages,
// opening a PDF to check it) and dicom-parser (drawing DICOM frames) hold the thread they run
// on. A dense vector page took ~0.9 s to draw, during which the desktop's main process
// answered no IPC (progress stalled) and the API server answered no request. sharp's images
// already decode on libuv's own threads.
//
// One thread, started on first use and stopped after a minute idle, with a heap limit, so a
// hostile file that exhausts memory ends the thread (that piece of work fails with a reason,
// the next starts a new thread) instead of the process. Where no thread can start at all (a
// packaging without the worker's file, say), the work runs on the calling thread, as before.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FileThreadMessage, FileWork, FileWorkResults } from './file-worker.js';

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
 * Where the worker's program is: a built app (electron-vite bundles file-worker.ts to a file
 * of its own) says so here; null runs the work on the calling thread. Unset (or undefined),
 * the TypeScript source runs with tsx's loader, as under `npm start`, `npm run server` and
 * the tests.
 */
export function setFileWorker(entry: URL | null | undefined): Promise<void> {
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
    url: new URL('./file-worker.ts', import.meta.url),
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

/** What became of a piece of work: its result, or why the thread stopped before answering. */
export type Outcome<K extends FileWork['kind']> =
  { result: FileWorkResults[K] } | { stopped: string };

interface Thread {
  worker: Worker;
  /** the thread's id once it runs, or null when it could not start */
  started: Promise<number | null>;
  pending: Map<number, (outcome: Outcome<FileWork['kind']>) => void>;
}

let thread: Thread | undefined;
let nextId = 1;
let idleTimer: NodeJS.Timeout | undefined;
/** set when a thread could not start: from then on the work runs on the calling thread */
let unavailable = false;

function startThread(where: Entry): Thread {
  const pending: Thread['pending'] = new Map();
  const worker = newWorker(where);
  worker.unref();
  let ready = false;
  const started = new Promise<number | null>((resolve) => {
    worker.on('message', (message: FileThreadMessage) => {
      if ('ready' in message) {
        ready = true;
        resolve(message.threadId);
        return;
      }
      const settle = pending.get(message.id);
      if (!settle) return;
      pending.delete(message.id);
      settle({ result: message.result });
      if (pending.size === 0) idle();
    });
    let failure = '';
    worker.on('error', (error) => (failure = error.message));
    worker.on('exit', (code) => {
      if (thread?.worker === worker) thread = undefined;
      if (!ready) {
        console.error(
          `Files are checked and previewed on the main thread: their worker thread did not start (${failure || `exit code ${code}`}).`,
        );
        unavailable = true;
        resolve(null);
      }
      const stopped =
        failure && /memory/i.test(failure)
          ? 'it needed more memory than a file check or preview may use'
          : `the work was stopped (${failure || `exit code ${code}`})`;
      for (const settle of pending.values()) settle({ stopped });
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
 * Runs `work` on the file thread, or answers undefined when no thread can run (the caller
 * then does the work itself).
 */
export async function inFileThread<K extends FileWork['kind']>(
  work: Extract<FileWork, { kind: K }>,
): Promise<Outcome<K> | undefined> {
  const where = entry();
  if (unavailable || !where) return undefined;
  thread ??= startThread(where);
  const current = thread;
  if ((await current.started) === null) return undefined;
  // It stopped meanwhile (idle, or a file before this one took it down): start another.
  if (thread !== current) return inFileThread(work);
  clearTimeout(idleTimer);
  current.worker.ref();
  const id = nextId++;
  return new Promise<Outcome<K>>((resolve) => {
    current.pending.set(id, resolve as (outcome: Outcome<FileWork['kind']>) => void);
    current.worker.postMessage({ id, work });
  });
}

/** The file thread's id while it runs (for tests), else null. */
export async function fileThreadId(): Promise<number | null> {
  return thread ? thread.started : null;
}
