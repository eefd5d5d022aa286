// The zod schemas of the ingest channels and events named in ./ingest-channels.ts; merged into
// ./contract.ts. Inbox items, reports and scans are the ingest service's own schemas
// (src/shared/ingest), so what main keeps on disk and what the renderer sees cannot drift apart.
import { z } from 'zod';
import { FilingRequest, InboxItem, IngestReport, ScannedPageEvent } from '../ingest/model.js';
import {
  DeviceId,
  ScannerCapabilities,
  ScannerDevice,
  ScanRequest,
  ScanResult,
} from '../ingest/scanner.js';
import {
  INGEST_ADD_FILES,
  INGEST_ADD_PATHS,
  INGEST_CANCEL,
  INGEST_CHANGED,
  INGEST_DELETE_PAGES,
  INGEST_FILE,
  INGEST_LIST,
  INGEST_MERGE,
  INGEST_PROGRESS,
  INGEST_REMOVE,
  INGEST_REORDER,
  INGEST_ROTATE,
  INGEST_SCAN,
  INGEST_SCAN_PAGE,
  INGEST_SCANNER_CAPABILITIES,
  INGEST_SCANNERS,
  INGEST_SPLIT,
  INGEST_THUMBNAIL,
} from './ingest-channels.js';

/** Most file bytes one ingest:add-files call may carry; more goes in several calls. */
export const MAX_INGEST_BYTES_PER_CALL = 64 * 1024 * 1024;
/** Most paths one ingest:add-paths call may name (folders count once; their files do not). */
export const MAX_INGEST_PATHS = 10_000;
const MAX_PAGES = 10_000;

const noInput = z.undefined();
const Id = z.uuid();
/** Names a running ingest or scan, so it can be cancelled and its events recognised. */
export const JobId = z.uuid({ message: 'Name the job with a UUID' });

/** A full path as the desktop's file manager hands it over: POSIX, drive letter, or UNC. */
export const AbsolutePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\0'), { message: 'A path cannot contain a NUL character' })
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || /^\\\\[^\\]+\\[^\\]+/.test(p), {
    message: 'Use a full path, such as /home/scans/letter.pdf or C:\\Scans\\letter.pdf',
  });

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Bytes a base64 text decodes to, without decoding it. */
export function base64Size(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((text.length * 3) / 4) - padding);
}

/** Rounded up, so a size just over the limit never reads as the limit itself. */
const megabytes = (bytes: number): string =>
  `${(Math.ceil((bytes * 10) / (1024 * 1024)) / 10).toFixed(1)} MB`;
const LIMIT = megabytes(MAX_INGEST_BYTES_PER_CALL).replace('.0', '');

/** A file sent as bytes; main writes it under a safe form of its name. */
export const IncomingFile = z
  .strictObject({ name: z.string().trim().min(1).max(1024), data: z.string() })
  .superRefine((file, ctx) => {
    // The size first: a check of every character of a huge text would only be wasted time.
    const size = base64Size(file.data);
    if (size > MAX_INGEST_BYTES_PER_CALL) {
      ctx.addIssue({
        code: 'custom',
        path: ['data'],
        message: `${file.name} is ${megabytes(size)}; send at most ${LIMIT} of file bytes per call. Add larger files from the desktop app, which reads them from disk`,
      });
    } else if (file.data.length % 4 !== 0 || !BASE64.test(file.data)) {
      ctx.addIssue({
        code: 'custom',
        path: ['data'],
        message: `${file.name}: send the file's bytes as base64`,
      });
    }
  });

export const IngestFilesInput = z.strictObject({
  files: z
    .array(IncomingFile)
    .min(1, { message: 'Send at least one file' })
    .max(1000)
    .superRefine((files, ctx) => {
      const total = files.reduce((sum, f) => sum + base64Size(f.data), 0);
      if (files.length > 1 && total > MAX_INGEST_BYTES_PER_CALL) {
        ctx.addIssue({
          code: 'custom',
          message: `these ${files.length} files are ${megabytes(total)} together; send at most ${LIMIT} of file bytes per call, in several calls`,
        });
      }
    }),
  jobId: JobId.optional(),
});

const PageIds = z.array(Id).min(1, { message: 'Choose at least one page' }).max(MAX_PAGES);
export const Turn = z.union([z.literal(90), z.literal(180), z.literal(270), z.literal(-90)]);

/** What a filing queued: one upload per item, all in one batch (saved together or not at all). */
export const FilingResult = z.object({
  batchId: Id,
  filed: z.array(z.object({ itemId: Id, fileName: z.string(), title: z.string() })),
});
export type FilingResult = z.infer<typeof FilingResult>;

export const IngestProgress = z.strictObject({
  jobId: z.string(),
  /** files finished (added, recognised as duplicates, or rejected) */
  done: z.number().int().nonnegative(),
  /** files found so far; final once the dropped folders are walked */
  total: z.number().int().nonnegative(),
  /** the file finished last, once there is one */
  fileName: z.string().optional(),
});
export type IngestProgress = z.infer<typeof IngestProgress>;

export const INGEST_CONTRACT = {
  [INGEST_LIST]: { input: noInput, output: z.object({ items: z.array(InboxItem) }) },
  [INGEST_ADD_PATHS]: {
    input: z.strictObject({
      paths: z
        .array(AbsolutePath)
        .min(1, { message: 'Name at least one file or folder' })
        .max(MAX_INGEST_PATHS),
      jobId: JobId.optional(),
    }),
    output: IngestReport,
  },
  [INGEST_ADD_FILES]: { input: IngestFilesInput, output: IngestReport },
  [INGEST_CANCEL]: {
    input: z.strictObject({ jobId: JobId }),
    output: z.strictObject({ cancelled: z.boolean() }),
  },
  [INGEST_SCANNERS]: { input: noInput, output: z.array(ScannerDevice) },
  [INGEST_SCANNER_CAPABILITIES]: {
    input: z.strictObject({ deviceId: DeviceId }),
    output: ScannerCapabilities,
  },
  [INGEST_SCAN]: { input: ScanRequest.extend({ jobId: JobId }).strict(), output: ScanResult },
  [INGEST_ROTATE]: {
    input: z.strictObject({ itemId: Id, pageIds: PageIds, turn: Turn }),
    output: InboxItem,
  },
  [INGEST_REORDER]: {
    input: z.strictObject({ itemId: Id, pageIds: PageIds }),
    output: InboxItem,
  },
  [INGEST_DELETE_PAGES]: {
    input: z.strictObject({ itemId: Id, pageIds: PageIds }),
    output: InboxItem,
  },
  [INGEST_SPLIT]: {
    input: z.strictObject({ itemId: Id, startPageIds: PageIds }),
    output: z.array(InboxItem),
  },
  [INGEST_MERGE]: {
    input: z.strictObject({ itemIds: z.array(Id).min(2).max(1000) }),
    output: InboxItem,
  },
  [INGEST_REMOVE]: { input: z.strictObject({ itemId: Id }), output: z.undefined() },
  [INGEST_FILE]: { input: FilingRequest, output: FilingResult },
  [INGEST_THUMBNAIL]: {
    input: z.strictObject({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
    output: z.strictObject({ dataUrl: z.string().startsWith('data:image/jpeg;base64,') }),
  },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;

export const INGEST_EVENTS = {
  /** the whole inbox, after any change */
  [INGEST_CHANGED]: z.object({ items: z.array(InboxItem) }),
  /** a page of a running scan, as soon as it is complete */
  [INGEST_SCAN_PAGE]: z.object({ jobId: z.string(), page: ScannedPageEvent }),
  [INGEST_PROGRESS]: IngestProgress,
} as const satisfies Record<string, z.ZodType>;
