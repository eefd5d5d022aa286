// Files into the inbox: copy into staging (hashing on the way), recognise bytes the inbox already
// holds, run the shared file checks on the staged copy — so the bytes checked are the bytes
// kept — then make thumbnails, page previews and the item. A file that fails any step is
// reported with its reason and the rest carry on.
import { randomUUID } from 'node:crypto';
import { FileProblem, type FileLimits } from '../../../shared-node/files/types.js';
import { validateFile, type ValidatedFile } from '../../../shared-node/files/validate.js';
import { FILE_TYPES } from '../../../shared-node/files/known-types.js';
import type { IngestEvents } from './events.js';
import type { Inbox } from './inbox.js';
import type {
  InboxItem,
  InboxPage,
  InboxSource,
  IngestReport,
  Rejection,
  StagedFile,
} from '../../../shared/ingest/model.js';
import { previewFile, previewPdfPages, type Preview } from './previews.js';
import { Holds, type StagingStore } from './staging.js';
import { findFiles, unreadable, type FoundFile } from './walk.js';

export interface IngestContext {
  inbox: Inbox;
  staging: StagingStore;
  events: IngestEvents;
  limits: FileLimits;
  now: () => Date;
}

export type FileOutcome =
  | { outcome: 'added'; item: InboxItem }
  | { outcome: 'duplicate'; item: InboxItem }
  | { outcome: 'rejected'; rejection: Rejection };

/** Two at a time: the machine has two cores and checks, thumbnails and pdf.js are CPU-bound. */
const CONCURRENCY = 2;
const PROGRESS_INTERVAL_MS = 100;

/** Ingests one file. Throws only when cancelled; every other failure is a rejection. */
export async function ingestFile(
  ctx: IngestContext,
  found: FoundFile,
  source: InboxSource,
  signal: AbortSignal,
): Promise<FileOutcome> {
  let incoming;
  try {
    incoming = await ctx.staging.receive(found.path, signal);
  } catch (error) {
    signal.throwIfAborted();
    return { outcome: 'rejected', rejection: unreadable(found.path, error) };
  }
  const holds = new Holds(ctx.staging);
  holds.hold(incoming.sha256);
  const kept: StagedFile[] = [];
  try {
    const existing = ctx.inbox.holding(incoming.sha256);
    if (existing !== undefined) {
      await ctx.staging.discard(incoming);
      return { outcome: 'duplicate', item: existing };
    }
    let validated: ValidatedFile;
    try {
      validated = await validateFile({ path: incoming.tempPath, fileName: found.name }, ctx.limits);
    } catch (error) {
      await ctx.staging.discard(incoming);
      return { outcome: 'rejected', rejection: rejectionFor(found, error) };
    }
    const file = await ctx.staging.commit(incoming, validated.type.ext);
    kept.push(file);
    const described = await describe(ctx.staging, holds, file, validated, signal);
    kept.push(...described.thumbnails);
    return await ctx.inbox.exclusive(async () => {
      // Another job may have added the same bytes while this one was making previews.
      const holder = ctx.inbox.holding(file.sha256);
      if (holder !== undefined) return { outcome: 'duplicate', item: holder };
      const item: InboxItem = {
        id: randomUUID(),
        source,
        originalName: found.name,
        createdAt: ctx.now().toISOString(),
        type: validated.type,
        file,
        ...described.fields,
      };
      await ctx.inbox.save([item]);
      return { outcome: 'added', item };
    });
  } catch (error) {
    await ctx.staging.discard(incoming);
    signal.throwIfAborted();
    return { outcome: 'rejected', rejection: rejectionFor(found, error) };
  } finally {
    holds.releaseAll();
    // Bytes this attempt staged but no item took (a duplicate, a failure) are cleaned up now.
    if (kept.length > 0) await ctx.inbox.exclusive(() => ctx.inbox.collect(kept));
  }
}

function rejectionFor(found: FoundFile, error: unknown): Rejection {
  if (error instanceof FileProblem) {
    return { path: found.path, fileName: found.name, code: error.code, reason: error.message };
  }
  return {
    path: found.path,
    fileName: found.name,
    code: 'unreadable',
    reason: `${found.name}: it could not be added (${(error as Error).message}). Try adding it again.`,
  };
}

type Described = Pick<InboxItem, 'pages' | 'filePages' | 'thumbnail' | 'problems'>;

/** Thumbnails, and for PDFs the page list; the staged thumbnails are returned for clean-up. */
async function describe(
  staging: StagingStore,
  holds: Holds,
  file: StagedFile,
  validated: ValidatedFile,
  signal: AbortSignal,
): Promise<{ fields: Described; thumbnails: StagedFile[] }> {
  const path = staging.pathOf(file);
  if (validated.type.mime !== FILE_TYPES.pdf.mime) {
    const preview = await previewFile(staging, holds, path, validated.type);
    return {
      fields: { thumbnail: preview.thumbnail, problems: [] },
      thumbnails: thumbnailFiles([preview]),
    };
  }
  const pages = await previewPdfPages(staging, holds, path, signal);
  if ('notEditable' in pages) {
    const preview = await previewFile(staging, holds, path, validated.type);
    return {
      fields: {
        thumbnail: preview.thumbnail,
        filePages: validated.pages,
        problems: [
          `Its pages cannot be edited here: ${pages.notEditable}. It can be filed as it is.`,
        ],
      },
      thumbnails: thumbnailFiles([preview]),
    };
  }
  return {
    fields: {
      pages: pagesOf(file, pages.previews),
      filePages: pages.previews.length,
      thumbnail: pages.previews[0]!.thumbnail,
      problems: [],
    },
    thumbnails: thumbnailFiles(pages.previews),
  };
}

/** Page list for a staged PDF, in its own order, unturned. */
export function pagesOf(source: StagedFile, previews: readonly Preview[]): InboxPage[] {
  return previews.map((preview, index) => ({
    id: randomUUID(),
    source,
    index,
    rotation: 0,
    blank: preview.blank,
    thumbnail: preview.thumbnail,
  }));
}

export const thumbnailFiles = (previews: readonly Preview[]): StagedFile[] =>
  previews.flatMap((p) => (p.thumbnail.status === 'ready' ? [p.thumbnail.file] : []));

/** Ingests files and folders; reports progress as it goes and stops early when cancelled. */
export async function ingestPaths(
  ctx: IngestContext,
  paths: readonly string[],
  source: InboxSource,
  jobId: string,
  signal: AbortSignal,
): Promise<IngestReport> {
  const report: IngestReport = {
    jobId,
    added: [],
    duplicates: [],
    rejected: [],
    skipped: 0,
    cancelled: false,
  };
  let total = 0;
  let done = 0;
  let lastProgress = 0;
  let lastName: string | undefined;
  const progress = (force: boolean): void => {
    const now = Date.now();
    if (!force && now - lastProgress < PROGRESS_INTERVAL_MS) return;
    lastProgress = now;
    ctx.events.emit({
      type: 'ingest-progress',
      jobId,
      total,
      done,
      ...(lastName === undefined ? {} : { fileName: lastName }),
      added: report.added.length,
      duplicates: report.duplicates.length,
      rejected: report.rejected.length,
      skipped: report.skipped,
    });
  };
  const reject = (rejection: Rejection): void => {
    report.rejected.push(rejection);
    ctx.events.emit({ type: 'ingest-rejected', jobId, rejection });
  };

  let found;
  try {
    found = await findFiles(paths, signal, (count) => {
      total = count;
      progress(false);
    });
  } catch (error) {
    if (!signal.aborted) throw error;
    found = { files: [], unreadable: [], skipped: 0 };
  }
  total = found.files.length;
  report.skipped = found.skipped;
  found.unreadable.forEach(reject);
  progress(true);

  const files = found.files;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length && !signal.aborted) {
      const file = files[next++]!;
      let result;
      try {
        result = await ingestFile(ctx, file, source, signal);
      } catch (error) {
        if (signal.aborted) return;
        throw error;
      }
      if (result.outcome === 'added') report.added.push(result.item);
      else if (result.outcome === 'duplicate') {
        report.duplicates.push({ path: file.path, fileName: file.name, itemId: result.item.id });
      } else reject(result.rejection);
      done++;
      lastName = file.name;
      progress(done === total);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  // A cancel that arrives once every file is done changes nothing.
  if (signal.aborted && done < total) {
    report.cancelled = true;
    progress(true);
  }
  ctx.events.emit({ type: 'ingest-finished', report });
  return report;
}
