// The zod schemas of the records channels and events named in ./records-channels.ts; merged into
// ./contract.ts. Answers are the companion API's own schemas (src/shared/api), so what the API
// sends and what the renderer sees cannot drift apart.
import { z } from 'zod';
import {
  Annotation,
  AnnotationContent,
  AnnotationPageNumber,
  annotationVariants,
} from '../api/annotations.js';
import { MAX_THUMBNAIL_URLS, ThumbnailUrls } from '../api/document-urls.js';
import {
  Category,
  DocumentPatch,
  DocumentReference,
  DocumentStatus,
  Encounter,
  MAX_PAGE_SIZE,
  Patient,
  pageOf,
} from '../api/schemas.js';
import {
  ANNOTATIONS_CREATE,
  ANNOTATIONS_DELETE,
  ANNOTATIONS_EXPORT,
  ANNOTATIONS_LIST,
  ANNOTATIONS_UPDATE,
  DOCUMENTS_DELETE,
  DOCUMENTS_GET,
  DOCUMENTS_LIST,
  DOCUMENTS_OPEN,
  DOCUMENTS_RESTORE,
  DOCUMENTS_THUMBNAILS,
  DOCUMENTS_UPDATE,
  PATIENTS_ENCOUNTERS,
  PATIENTS_GET,
  PATIENTS_SEARCH,
} from './records-channels.js';

const Id = z.uuid();
const isoDate = z.iso.date();
const cursor = z.string().min(1).max(512);
const limit = z.number().int().min(1).max(MAX_PAGE_SIZE);

export const PatientSearch = z.strictObject({
  /** name or MRN */
  q: z.string().trim().max(100).optional(),
  limit: limit.optional(),
  cursor: cursor.optional(),
});
export type PatientSearch = z.infer<typeof PatientSearch>;

export const DocumentListInput = z
  .strictObject({
    patientId: Id.optional(),
    category: Category.optional(),
    encounterId: Id.optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    /** `deleted` lists soft-deleted documents (administrators only) */
    status: z.union([DocumentStatus, z.literal('deleted')]).optional(),
    limit: limit.optional(),
    cursor: cursor.optional(),
    /** words of the title, matched case-insensitively */
    q: z.string().trim().max(200).optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, {
    message: '`from` must not be after `to`',
    path: ['from'],
  });
export type DocumentListInput = z.infer<typeof DocumentListInput>;

export const DocumentPage = pageOf(DocumentReference);

export const OpenedDocument = z.object({
  document: DocumentReference,
  /** signed, inline, short-lived: the renderer fetches the bytes with it, never with a token */
  url: z.string(),
  expiresAt: z.iso.datetime(),
});
export type OpenedDocument = z.infer<typeof OpenedDocument>;

export const AnnotationCreateInput = annotationVariants({
  documentId: Id,
  pageNumber: AnnotationPageNumber,
});
export type AnnotationCreateInput = z.infer<typeof AnnotationCreateInput>;

export const AnnotationUpdateInput = z.strictObject({
  id: Id,
  /** the version last seen; a stale one rejects with code 'conflict' */
  version: z.number().int().min(1),
  pageNumber: AnnotationPageNumber.optional(),
  content: AnnotationContent.optional(),
});
export type AnnotationUpdateInput = z.infer<typeof AnnotationUpdateInput>;

export const AnnotationExport = z.object({
  /** where the PDF was written, on this computer */
  path: z.string(),
  fileName: z.string(),
  /** how many annotations were drawn */
  annotations: z.number().int(),
  /** annotations on pages the document does not have, which could not be drawn */
  omitted: z.number().int(),
});
export type AnnotationExport = z.infer<typeof AnnotationExport>;

export const RECORDS_CONTRACT = {
  [PATIENTS_SEARCH]: { input: PatientSearch, output: pageOf(Patient) },
  [PATIENTS_GET]: { input: z.strictObject({ id: Id }), output: Patient },
  [PATIENTS_ENCOUNTERS]: {
    input: z.strictObject({ patientId: Id }),
    output: z.array(Encounter),
  },
  [DOCUMENTS_LIST]: { input: DocumentListInput, output: DocumentPage },
  [DOCUMENTS_THUMBNAILS]: {
    input: z.strictObject({ ids: z.array(Id).min(1).max(MAX_THUMBNAIL_URLS) }),
    output: ThumbnailUrls,
  },
  [DOCUMENTS_GET]: { input: z.strictObject({ id: Id }), output: DocumentReference },
  [DOCUMENTS_UPDATE]: {
    input: z.strictObject({ id: Id, patch: DocumentPatch }),
    output: DocumentReference,
  },
  [DOCUMENTS_DELETE]: { input: z.strictObject({ id: Id }), output: z.object({ id: Id }) },
  [DOCUMENTS_RESTORE]: { input: z.strictObject({ id: Id }), output: DocumentReference },
  [DOCUMENTS_OPEN]: { input: z.strictObject({ id: Id }), output: OpenedDocument },
  [ANNOTATIONS_LIST]: {
    input: z.strictObject({ documentId: Id }),
    output: z.array(Annotation),
  },
  [ANNOTATIONS_CREATE]: {
    input: AnnotationCreateInput,
    output: Annotation,
  },
  [ANNOTATIONS_UPDATE]: { input: AnnotationUpdateInput, output: Annotation },
  [ANNOTATIONS_DELETE]: {
    input: z.strictObject({ id: Id, version: z.number().int().min(1) }),
    output: z.object({ id: Id }),
  },
  [ANNOTATIONS_EXPORT]: { input: z.strictObject({ documentId: Id }), output: AnnotationExport },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;

export const RECORDS_EVENTS = {} as const satisfies Record<string, z.ZodType>;
