// What the inbox holds and what it tells the renderer, as zod schemas: the same schemas check
// every inbox file main reads back from disk and every ingest value the IPC contract carries
// (src/shared/ipc/ingest.ts), so they import nothing from node: or electron.
import { z } from 'zod';
import { CATEGORIES, type DocumentSource } from '../domain.js';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/** Bytes in the staging store, named by their SHA-256. */
export const StagedFile = z.object({
  sha256,
  /** extension without the dot, as the detected type names it (pdf, jpg) */
  ext: z.string().regex(/^[a-z0-9]{1,8}$/),
  size: z.number().int().nonnegative(),
});
export type StagedFile = z.infer<typeof StagedFile>;

export const Thumbnail = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('ready'),
    file: StagedFile,
    width: z.number().int().positive(),
    height: z.number().int().positive(),
  }),
  z.object({ status: z.enum(['unsupported', 'failed']), reason: z.string() }),
]);
export type Thumbnail = z.infer<typeof Thumbnail>;

export const Rotation = z.union([z.literal(0), z.literal(90), z.literal(180), z.literal(270)]);
export type Rotation = z.infer<typeof Rotation>;

/** One page of an item: a page of a staged PDF, turned by the user on top of its own /Rotate. */
export const InboxPage = z.object({
  id: z.uuid(),
  /** the staged PDF the page comes from */
  source: StagedFile,
  /** 0-based page index in source */
  index: z.number().int().nonnegative(),
  /** clockwise, added by the user; the thumbnail shows the page before this turn */
  rotation: Rotation,
  /** looks blank: shown for review, never removed without the user */
  blank: z.boolean(),
  thumbnail: Thumbnail,
});
export type InboxPage = z.infer<typeof InboxPage>;

export const INBOX_SOURCES = ['drop', 'folder', 'hot-folder', 'scanner'] as const;
export const InboxSource = z.enum(INBOX_SOURCES);
export type InboxSource = z.infer<typeof InboxSource>;

export const FileType = z.object({
  mime: z.string(),
  ext: z.string(),
  kind: z.enum(['document', 'photo', 'imaging', 'video']),
  label: z.string(),
});

/** What the upload queue receives for one filed document. */
export const QueueEntry = z.object({
  fileName: z.string(),
  contentType: z.string(),
  size: z.number().int().positive(),
  sha256,
  stagedPath: z.string(),
  patientId: z.uuid(),
  encounterId: z.uuid().optional(),
  category: z.enum(CATEGORIES),
  title: z.string(),
  documentDate: z.iso.date().optional(),
  source: z.enum(['desktop', 'scanner', 'hot-folder'] satisfies DocumentSource[]),
});
export type QueueEntry = z.infer<typeof QueueEntry>;

export const InboxItem = z.object({
  id: z.uuid(),
  source: InboxSource,
  /** the name the user knows it by: the file's name, or "Scan <date> <time>.pdf" */
  originalName: z.string(),
  createdAt: z.iso.datetime(),
  type: FileType,
  /** the file as it was ingested (for a scan: the PDF its pages were assembled into) */
  file: StagedFile,
  /** for PDFs and scans: the pages as they will be filed, in order */
  pages: z.array(InboxPage).optional(),
  /** page count of `file`, for PDFs and scans */
  filePages: z.number().int().positive().optional(),
  /** the first page before the user's rotation, or the picture itself */
  thumbnail: Thumbnail,
  /** things the user should know before filing, each a sentence */
  problems: z.array(z.string()),
  /**
   * Set while the item is being handed to the upload queue, so a crash in between is noticed:
   * 'filing' = written before enqueue, 'filed' = enqueue succeeded and only removal remains.
   */
  filing: z
    .object({
      state: z.enum(['filing', 'filed']),
      batchId: z.uuid(),
      entry: QueueEntry,
      /** the edited PDF built for filing, if the pages were changed */
      built: StagedFile.optional(),
    })
    .optional(),
});
export type InboxItem = z.infer<typeof InboxItem>;

/** What the user assigns when filing; per-item values override the shared ones. */
export const FilingRequest = z.object({
  patientId: z.uuid(),
  encounterId: z.uuid().optional(),
  category: z.enum(CATEGORIES),
  title: z.string().trim().min(1).max(200).optional(),
  documentDate: z.iso.date().optional(),
  items: z
    .array(
      z.object({
        itemId: z.uuid(),
        title: z.string().trim().min(1).max(200).optional(),
        category: z.enum(CATEGORIES).optional(),
        documentDate: z.iso.date().optional(),
      }),
    )
    .min(1),
});
export type FilingRequest = z.input<typeof FilingRequest>;

export const Rejection = z.object({
  /** the path it was read from, for the user to find it (for bytes sent over IPC: its name) */
  path: z.string(),
  fileName: z.string(),
  /** stable code (FileProblem codes, or 'unreadable') */
  code: z.string(),
  /** names the file and says what to do */
  reason: z.string(),
});
export type Rejection = z.infer<typeof Rejection>;

export const IngestReport = z.object({
  jobId: z.string(),
  added: z.array(InboxItem),
  duplicates: z.array(z.object({ path: z.string(), fileName: z.string(), itemId: z.string() })),
  rejected: z.array(Rejection),
  /** hidden and system files that were not looked at */
  skipped: z.number().int().nonnegative(),
  cancelled: z.boolean(),
});
export type IngestReport = z.infer<typeof IngestReport>;

export const ScannedPageEvent = z.object({
  /** 1-based, in scanning order */
  number: z.number().int().positive(),
  thumbnail: Thumbnail,
  blank: z.boolean(),
});
export type ScannedPageEvent = z.infer<typeof ScannedPageEvent>;

/** Everything the renderer is told; `subscribe` delivers these in order. */
export type IngestEvent =
  | { type: 'inbox-changed'; changed: InboxItem[]; removed: string[] }
  | {
      type: 'ingest-progress';
      jobId: string;
      /** files found so far (final once walking is done) */
      total: number;
      done: number;
      /** the file finished last, once there is one */
      fileName?: string;
      added: number;
      duplicates: number;
      rejected: number;
      skipped: number;
    }
  | { type: 'ingest-rejected'; jobId: string; rejection: Rejection }
  | { type: 'ingest-finished'; report: IngestReport }
  /** the scanner has been set up and is feeding paper */
  | { type: 'scan-started'; jobId: string; deviceId: string }
  | { type: 'scan-progress'; jobId: string; pagesScanned: number; page: ScannedPageEvent }
  | {
      type: 'scan-finished';
      jobId: string;
      pagesScanned: number;
      itemId?: string;
      cancelled: boolean;
      error?: string;
    }
  | {
      type: 'hot-folder';
      folder: string;
      fileName: string;
      outcome: 'added' | 'duplicate' | 'rejected';
      itemId?: string;
      reason?: string;
    }
  | { type: 'hot-folder-error'; folder: string; reason: string };
