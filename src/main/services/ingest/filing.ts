// Filing: items get their patient, encounter, category, title and date and go to the upload
// queue, which is someone else's and reached through the injected enqueue(). An item whose pages
// were edited is first built into a new PDF (pages copied, never re-encoded) and that file's
// hash is what is uploaded. The order is crash-safe: write "filing" (with the entry), enqueue,
// write "filed", remove. On restart, "filed" items are removed and "filing" items are either
// removed (the queue has the entry) or returned to the inbox (it does not) — see inbox.ts.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { readFile } from 'node:fs/promises';
import { degrees, PDFDocument, type PDFPage } from 'pdf-lib';
import { FILE_TYPES } from '../../../shared-node/files/known-types.js';
import { IngestError } from './errors.js';
import type { IngestContext } from './ingest-files.js';
import {
  FilingRequest,
  type InboxItem,
  type InboxPage,
  type InboxSource,
  type QueueEntry,
  type StagedFile,
} from '../../../shared/ingest/model.js';
import { splitName } from './page-ops.js';
import { writePdf } from './pdf-writer.js';
import { loadForEditing } from './previews.js';
import { Holds, type StagingStore } from './staging.js';

/**
 * The upload queue's intake; resolves (with whatever the queue reports) once the entries are
 * durably queued, rejects if they are not.
 */
export type Enqueue = (entries: QueueEntry[], options: { batchId: string }) => Promise<unknown>;

const QUEUE_SOURCE: Record<InboxSource, QueueEntry['source']> = {
  drop: 'desktop',
  folder: 'desktop',
  'hot-folder': 'hot-folder',
  scanner: 'scanner',
};

type FilingDetails = z.output<typeof FilingRequest>;

export interface Filed {
  batchId: string;
  entries: QueueEntry[];
}

export async function fileItems(
  ctx: IngestContext,
  enqueue: Enqueue,
  input: FilingRequest,
): Promise<Filed> {
  const parsed = FilingRequest.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new IngestError(
      'invalid_request',
      `The filing details are not valid: ${issue.path.join('.') || 'request'}: ${issue.message}.`,
    );
  }
  const request: FilingDetails = parsed.data;
  const ids = request.items.map((i) => i.itemId);
  if (new Set(ids).size !== ids.length) {
    throw new IngestError('invalid_request', 'An item is listed twice in one filing.');
  }
  const { inbox } = ctx;
  const { items, unreserve } = await inbox.exclusive(async () => {
    const items = ids.map((id) => inbox.editable(id));
    return { items, unreserve: inbox.reserve(ids) };
  });
  const batchId = randomUUID();
  const holds = new Holds(ctx.staging);
  const built: StagedFile[] = [];
  let queued = false;
  try {
    const marked: InboxItem[] = [];
    for (const [i, item] of items.entries()) {
      const edited = await buildIfEdited(ctx.staging, holds, item);
      if (edited !== undefined) built.push(edited);
      const entry = await entryFor(ctx.staging, item, edited, request, request.items[i]!);
      marked.push({
        ...item,
        filing: { state: 'filing', batchId, entry, ...(edited ? { built: edited } : {}) },
      });
    }
    await inbox.exclusive(() => inbox.save(marked));
    const entries = marked.map((item) => item.filing!.entry);
    try {
      await enqueue(entries, { batchId });
    } catch (error) {
      throw new IngestError(
        'enqueue_failed',
        `The upload queue did not take ${items.length === 1 ? `"${items[0]!.originalName}"` : `the ${items.length} items`}: ${(error as Error).message}. Nothing was lost: file again from the inbox.`,
        { cause: error },
      );
    }
    queued = true;
    await inbox.exclusive(async () => {
      await inbox.save(
        marked.map((item) => ({ ...item, filing: { ...item.filing!, state: 'filed' as const } })),
      );
      await inbox.remove(ids);
    });
    return { batchId, entries };
  } catch (error) {
    if (!queued) {
      // Back to the inbox exactly as they were; an edited PDF built for them is not needed.
      await inbox.exclusive(async () => {
        await inbox.save(items);
        holds.releaseAll();
        await inbox.collect(built);
      });
    }
    throw error;
  } finally {
    holds.releaseAll();
    unreserve();
  }
}

async function entryFor(
  staging: StagingStore,
  item: InboxItem,
  edited: StagedFile | undefined,
  request: FilingDetails,
  wanted: FilingDetails['items'][number],
): Promise<QueueEntry> {
  const upload = edited ?? item.file;
  if (!(await staging.has(upload))) throw missing(staging, item.originalName, upload);
  const { stem } = splitName(item.originalName);
  return {
    fileName: edited === undefined ? item.originalName : `${stem}.pdf`,
    contentType: edited === undefined ? item.type.mime : FILE_TYPES.pdf.mime,
    size: upload.size,
    sha256: upload.sha256,
    stagedPath: staging.pathOf(upload),
    patientId: request.patientId,
    ...(request.encounterId === undefined ? {} : { encounterId: request.encounterId }),
    category: wanted.category ?? request.category,
    // The server takes titles of up to 200 characters; file names may be longer.
    title: wanted.title ?? request.title ?? (stem.trim() || item.originalName).slice(0, 200),
    ...dateOf(wanted.documentDate ?? request.documentDate),
    source: QUEUE_SOURCE[item.source],
  };
}

const dateOf = (date: string | undefined): { documentDate?: string } =>
  date === undefined ? {} : { documentDate: date };

/** Whether the pages are exactly the original file's, in order and unturned. */
function isUnchanged(item: InboxItem): boolean {
  const pages = item.pages;
  if (pages === undefined) return true;
  return (
    pages.length === item.filePages &&
    pages.every(
      (page, i) =>
        page.source.sha256 === item.file.sha256 && page.index === i && page.rotation === 0,
    )
  );
}

/** The edited PDF, staged, or undefined when the original is what gets uploaded. */
async function buildIfEdited(
  staging: StagingStore,
  holds: Holds,
  item: InboxItem,
): Promise<StagedFile | undefined> {
  if (isUnchanged(item)) return undefined;
  const doc = await buildPdf(staging, item.originalName, item.pages!);
  const tempPath = staging.tempPath('pdf');
  const { sha256, size } = await writePdf(doc, tempPath);
  holds.hold(sha256);
  return staging.commit({ tempPath, sha256, size }, 'pdf');
}

/** A PDF of these pages: each copied from its source PDF (no re-encoding), then turned. */
async function buildPdf(
  staging: StagingStore,
  name: string,
  pages: readonly InboxPage[],
): Promise<PDFDocument> {
  const doc = await PDFDocument.create();
  const sources = new Map<string, PDFDocument>();
  for (const page of pages) {
    let source = sources.get(page.source.sha256);
    if (source === undefined) {
      const bytes = await readSource(staging, name, page.source);
      const loaded = await loadForEditing(bytes);
      if ('notEditable' in loaded) {
        throw new IngestError(
          'not_editable',
          `"${name}": its pages cannot be edited here: ${loaded.notEditable}.`,
        );
      }
      source = loaded.doc;
      sources.set(page.source.sha256, source);
    }
    const [copy] = await doc.copyPages(source, [page.index]);
    doc.addPage(turn(copy!, page.rotation));
  }
  return doc;
}

function turn(page: PDFPage, rotation: number): PDFPage {
  if (rotation !== 0) {
    page.setRotation(degrees((((page.getRotation().angle + rotation) % 360) + 360) % 360));
  }
  return page;
}

async function readSource(
  staging: StagingStore,
  name: string,
  source: StagedFile,
): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(staging.pathOf(source)));
  } catch (error) {
    throw missing(staging, name, source, error);
  }
}

function missing(
  staging: StagingStore,
  name: string,
  file: StagedFile,
  cause?: unknown,
): IngestError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? 'ENOENT';
  return new IngestError(
    'staged_file_missing',
    `"${name}" cannot be filed: its staged copy ${staging.pathOf(file)} could not be read (${code}). Remove the item and add the file again.`,
    { cause },
  );
}
