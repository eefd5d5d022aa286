// The ingest service: everything that puts paper and files into the inbox and takes them out
// again as filed documents, behind one object the shell wires to IPC. Dependencies come in as
// arguments (the upload queue's enqueue and isQueued, the scanimage tool, the clock), so it runs
// under plain Node in tests and, in the app, in a utility process: pdf.js and sharp are
// CPU-heavy and the API is async throughout so they never block a window.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_FILE_LIMITS, type FileLimits } from '../../../shared-node/files/types.js';
import type { PageImageFormat } from './assemble.js';
import { IngestError } from './errors.js';
import { IngestEvents, type IngestListener } from './events.js';
import { fileItems, type Enqueue, type Filed } from './filing.js';
import { HotFolder, type HotFolderOptions } from './hot-folder.js';
import { ingestIncoming, type IncomingFile } from './incoming.js';
import { Inbox, type IsQueued } from './inbox.js';
import { ingestPaths, type IngestContext } from './ingest-files.js';
import type { FilingRequest, InboxItem, IngestReport } from '../../../shared/ingest/model.js';
import {
  deletePages,
  mergeItems,
  removeItem,
  reorderPages,
  rotatePages,
  splitItem,
  type Turn,
} from './page-ops.js';
import type {
  ScannerCapabilities,
  ScanRequest,
  ScanResult,
} from '../../../shared/ingest/scanner.js';
import { planScan, scanToInbox } from './scan.js';
import {
  deviceOptions,
  listScanners,
  type ScanimageTool,
  type ScannerDevice,
} from './scanimage.js';
import { StagingStore } from './staging.js';

const run = promisify(execFile);

export interface IngestServiceOptions {
  /** where the inbox and the staging store live, e.g. <userData>/ingest */
  root: string;
  /** hands filed documents to the upload queue; resolves once they are durably queued */
  enqueue: Enqueue;
  /**
   * Whether the upload queue will still read these bytes (see IsQueued). Asked while opening,
   * to finish filings a crash interrupted: a queue that has not loaded its records yet sends
   * those back to the inbox to be filed again.
   */
  isQueued: IsQueued;
  limits?: FileLimits;
  scanimage?: ScanimageTool;
  now?: () => Date;
  /** where errors thrown by event listeners are reported (default: console.error) */
  onListenerError?: (error: unknown) => void;
}

export type IngestService = Awaited<ReturnType<typeof openIngestService>>;

export async function openIngestService(options: IngestServiceOptions) {
  const inboxDir = path.join(options.root, 'inbox');
  await mkdir(inboxDir, { recursive: true });
  const staging = new StagingStore(path.join(options.root, 'staging'));
  await staging.open();
  const events = new IngestEvents(options.onListenerError);
  const inbox = new Inbox(inboxDir, staging, options.isQueued, events);
  const openProblems = await inbox.open();
  const ctx: IngestContext = {
    inbox,
    staging,
    events,
    limits: options.limits ?? DEFAULT_FILE_LIMITS,
    now: options.now ?? (() => new Date()),
  };
  const tool = options.scanimage ?? { command: 'scanimage' };
  const jobs = new Map<string, { controller: AbortController; done: Promise<unknown> }>();
  const hotFolders = new Set<HotFolder>();
  /** the folders setHotFolders started, by folder and processed folder */
  const configured = new Map<string, { close(): Promise<void> }>();
  let configuring: Promise<unknown> = Promise.resolve();
  let formats: Promise<ReadonlySet<PageImageFormat>> | undefined;

  /** Runs work under a cancellable job id; the id is the caller's (a UUID) or a new one. */
  async function asJob<T>(jobId: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (jobs.has(jobId)) throw new IngestError('busy', `Job ${jobId} is already running.`);
    const controller = new AbortController();
    const done = work(controller.signal);
    jobs.set(jobId, { controller, done });
    try {
      return await done;
    } finally {
      jobs.delete(jobId);
    }
  }

  /** Starts watching a hot folder; close the returned handle to stop. */
  async function watchFolder(folder: HotFolderOptions): Promise<{ close(): Promise<void> }> {
    const hotFolder = new HotFolder(ctx, folder);
    // Two watchers on one folder would race for every file.
    if ([...hotFolders].some((watched) => watched.dir === hotFolder.dir)) {
      throw new IngestError('busy', `${hotFolder.dir} is already being watched.`);
    }
    await hotFolder.start();
    hotFolders.add(hotFolder);
    return {
      close: async () => {
        hotFolders.delete(hotFolder);
        await hotFolder.close();
      },
    };
  }

  /** scanimage accepts --format=X with --version exactly when it can write X. */
  async function probeFormats(): Promise<ReadonlySet<PageImageFormat>> {
    const writes = new Set<PageImageFormat>();
    for (const format of ['jpeg', 'png'] as const) {
      const ok = await run(tool.command, [`--format=${format}`, '--version'], {
        env: tool.env,
      }).then(
        () => true,
        () => false,
      );
      if (ok) writes.add(format);
    }
    return writes;
  }

  return {
    /** Item files that could not be read when the inbox was opened; each names its file. */
    openProblems,

    /** Inbox changes and progress; returns the unsubscribe. */
    subscribe(listener: IngestListener): () => void {
      return events.subscribe(listener);
    },

    listItems(): InboxItem[] {
      return inbox.list();
    },

    getItem(id: string): InboxItem | undefined {
      return inbox.get(id);
    },

    /**
     * The bytes (JPEG) of a thumbnail an inbox item shows, or a page of a scan still running
     * shows (its scan-progress event names it).
     */
    async readThumbnail(sha256: string): Promise<Buffer> {
      const shown = inbox
        .list()
        .flatMap((item) => [item.thumbnail, ...(item.pages ?? []).map((p) => p.thumbnail)])
        .some((t) => t.status === 'ready' && t.file.sha256 === sha256);
      const file = shown || staging.isPinned(sha256) ? await staging.find(sha256) : undefined;
      if (file === undefined) {
        throw new IngestError('not_found', 'That thumbnail is no longer shown by any inbox item.');
      }
      return readFile(staging.pathOf(file));
    },

    /** Files and folders the user dropped or opened. Cancel with cancel(jobId). */
    ingestPaths(
      paths: readonly string[],
      {
        source = 'drop',
        jobId = randomUUID(),
      }: { source?: 'drop' | 'folder'; jobId?: string } = {},
    ): Promise<IngestReport> {
      return asJob(jobId, (signal) => ingestPaths(ctx, paths, source, jobId, signal));
    },

    /**
     * Files that come as bytes, not paths (a renderer in a browser): written to scratch space
     * under their own names, made safe, and ingested like dropped files. Cancel with cancel(jobId).
     */
    ingestBytes(
      files: readonly IncomingFile[],
      { jobId = randomUUID() }: { jobId?: string } = {},
    ): Promise<IngestReport> {
      return asJob(jobId, (signal) =>
        ingestIncoming(staging.tempPath('incoming'), files, (paths) =>
          ingestPaths(ctx, paths, 'drop', jobId, signal),
        ),
      );
    },

    /** Cancels an ingest or a scan; false when no such job is running. */
    cancel(jobId: string): boolean {
      const job = jobs.get(jobId);
      job?.controller.abort();
      return job !== undefined;
    },

    /** Starts watching a hot folder; close the returned handle to stop. */
    watchFolder,

    /**
     * Watches exactly these hot folders (the settings' list): starts those not yet watched and
     * stops those no longer listed; calls are taken one after the other. Resolves with a sentence
     * for each folder that could not be watched, naming it; the others are watched regardless.
     */
    setHotFolders(wanted: readonly HotFolderOptions[]): Promise<string[]> {
      const run = configuring.then(async () => {
        const keyOf = (f: HotFolderOptions): string =>
          JSON.stringify([path.resolve(f.dir), f.processedDir && path.resolve(f.processedDir)]);
        const next = new Map(wanted.map((f) => [keyOf(f), f]));
        for (const [key, handle] of configured) {
          if (next.has(key)) continue;
          configured.delete(key);
          await handle.close();
        }
        const problems: string[] = [];
        for (const [key, folder] of next) {
          if (configured.has(key)) continue;
          try {
            configured.set(key, await watchFolder(folder));
          } catch (error) {
            problems.push(
              `The hot folder ${folder.dir} cannot be watched: ${(error as Error).message}`,
            );
          }
        }
        return problems;
      });
      configuring = run.catch(() => undefined);
      return run;
    },

    listScanners(): Promise<ScannerDevice[]> {
      return listScanners(tool);
    },

    async scannerCapabilities(deviceId: string): Promise<ScannerCapabilities> {
      const device = await deviceOptions(tool, deviceId);
      const offers = (request: Omit<ScanRequest, 'deviceId' | 'resolution'>): boolean => {
        try {
          planScan({ ...request, deviceId, resolution: 300 }, device, new Set());
          return true;
        } catch (error) {
          if (error instanceof IngestError && error.code === 'unsupported_setting') return false;
          throw error;
        }
      };
      const resolution = device.get('resolution')?.values;
      return {
        sources: (['flatbed', 'feeder', 'feeder-duplex'] as const).filter((source) =>
          offers({ source, colour: 'gray' }),
        ),
        colours: (['color', 'gray', 'lineart'] as const).filter(
          (colour) => offers({ source: 'flatbed', colour }) || offers({ source: 'feeder', colour }),
        ),
        resolutions: Array.isArray(resolution)
          ? resolution.map(Number).filter((n) => n > 0)
          : (resolution ?? []),
      };
    },

    /**
     * Scans into one new inbox item, announcing pages as they arrive. Cancel with cancel(jobId):
     * the pages already complete are kept as an item.
     */
    scan(
      request: ScanRequest,
      { jobId = randomUUID() }: { jobId?: string } = {},
    ): Promise<ScanResult> {
      return asJob(jobId, async (signal) => {
        formats ??= probeFormats();
        try {
          const result = await scanToInbox(
            ctx,
            { tool, formats: () => formats! },
            request,
            jobId,
            signal,
          );
          events.emit({
            type: 'scan-finished',
            jobId,
            pagesScanned: result.pagesScanned,
            cancelled: result.cancelled,
            ...(result.item ? { itemId: result.item.id } : {}),
          });
          return result;
        } catch (error) {
          events.emit({
            type: 'scan-finished',
            jobId,
            pagesScanned: 0,
            cancelled: signal.aborted,
            error: (error as Error).message,
          });
          throw error;
        }
      });
    },

    rotatePages: (itemId: string, pageIds: readonly string[], turn: Turn) =>
      rotatePages(inbox, itemId, pageIds, turn),
    reorderPages: (itemId: string, pageIds: readonly string[]) =>
      reorderPages(inbox, itemId, pageIds),
    deletePages: (itemId: string, pageIds: readonly string[]) =>
      deletePages(inbox, itemId, pageIds),
    splitItem: (itemId: string, startPageIds: readonly string[]) =>
      splitItem(inbox, itemId, startPageIds),
    mergeItems: (itemIds: readonly string[]) => mergeItems(inbox, itemIds),
    removeItem: (itemId: string) => removeItem(inbox, itemId),

    /** Files items to a patient and hands them to the upload queue. */
    fileItems(request: FilingRequest): Promise<Filed> {
      return fileItems(ctx, options.enqueue, request);
    },

    /**
     * The upload engine's "done with these bytes" (its releaseStaged): deletes them from staging
     * unless an inbox item or another queued upload still needs them (isQueued is asked, and
     * must already answer false for the entry being released). Safe to call twice. Returns
     * whether the bytes were deleted.
     */
    release(sha256: string): Promise<boolean> {
      return inbox.exclusive(async () => {
        const file = await staging.find(sha256);
        if (file === undefined) return false;
        return (await inbox.collect([file])).length > 0;
      });
    },

    /**
     * Deletes staged bytes nothing refers to (left by a crash between staging and the inbox).
     * Call once the upload queue is loaded, since isQueued is asked. Returns how many.
     */
    sweep(): Promise<number> {
      return inbox.exclusive(async () => (await inbox.collect(await staging.list())).length);
    },

    /** Stops hot folders, cancels running jobs and waits for them to wind down. */
    async close(): Promise<void> {
      const running = [...jobs.values()];
      running.forEach((job) => job.controller.abort());
      await configuring;
      configured.clear();
      await Promise.all([...hotFolders].map((folder) => folder.close()));
      hotFolders.clear();
      await Promise.allSettled(running.map((job) => job.done));
    },
  };
}
