// Request and response schemas of the companion API (/api/v1). The server validates with them
// and publishes them as OpenAPI; the desktop client types its API module from them.
import { z } from 'zod';
import {
  CATEGORIES,
  DOCUMENT_SOURCES,
  DOCUMENT_STATUSES,
  ROLES,
  type Category as CategoryName,
} from '../domain.js';

export const MAX_PAGE_SIZE = 100;

const id = z.uuid();
const isoDate = z.iso.date();
const isoDateTime = z.iso.datetime();
const cursor = z.string().min(1).max(512);
const pageLimit = (fallback: number) =>
  z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(fallback);

export const Category = z.enum(CATEGORIES);
export const Role = z.enum(ROLES);
export const DocumentStatus = z.enum(DOCUMENT_STATUSES);
export const DocumentSource = z.enum(DOCUMENT_SOURCES);

export const IdParams = z.strictObject({ id });

export const LoginRequest = z.strictObject({
  email: z.string().trim().toLowerCase().min(3).max(254),
  password: z.string().min(1).max(1024),
});

const Permission = z.object({ read: z.boolean(), write: z.boolean() });

export const Me = z.object({
  id,
  email: z.string(),
  name: z.string(),
  role: Role,
  organization: z.object({ id, name: z.string(), aclEnabled: z.boolean() }),
  permissions: z.record(Category, Permission),
});
export type Me = z.infer<typeof Me>;

export const LoginResponse = z.object({ token: z.string(), expiresAt: isoDateTime, user: Me });
export type LoginResponse = z.infer<typeof LoginResponse>;

export const Patient = z.object({
  id,
  mrn: z.string(),
  givenName: z.string(),
  familyName: z.string(),
  birthDate: isoDate.nullable(),
  sex: z.string().nullable(),
});
export type Patient = z.infer<typeof Patient>;

export const PatientListQuery = z.strictObject({
  q: z.string().trim().max(100).optional(),
  limit: pageLimit(25),
  cursor: cursor.optional(),
});
export type PatientListQuery = z.infer<typeof PatientListQuery>;

export const Encounter = z.object({
  id,
  patientId: id,
  startedAt: isoDateTime,
  type: z.string(),
  reason: z.string().nullable(),
  status: z.string(),
});
export type Encounter = z.infer<typeof Encounter>;

export const DocumentReference = z.object({
  id,
  patientId: id,
  encounterId: id.nullable(),
  title: z.string(),
  category: Category,
  contentType: z.string(),
  url: z.string(),
  fileSize: z.number().int().nonnegative(),
  sha256: z.string(),
  thumbnailUrl: z.string().nullable(),
  /** `ready` when a thumbnail exists; otherwise why not (`unsupported`, `failed`, `none`) */
  thumbnailStatus: z.enum(['ready', 'unsupported', 'failed', 'none']),
  fileName: z.string(),
  status: DocumentStatus,
  documentDate: isoDate,
  source: DocumentSource,
  createdBy: id,
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  deletedAt: isoDateTime.nullable(),
  deletedBy: id.nullable(),
});
export type DocumentReference = z.infer<typeof DocumentReference>;

export const DocumentListQuery = z
  .strictObject({
    patientId: id.optional(),
    category: Category.optional(),
    encounterId: id.optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    /** `deleted` lists soft-deleted documents and is for administrators only. */
    status: z.enum([...DOCUMENT_STATUSES, 'deleted']).optional(),
    /** Words the title must all contain, in any case (at most 8 words). */
    q: z
      .string()
      .trim()
      .max(200)
      .refine((q) => q.split(/\s+/).length <= 8, { message: 'Search for at most 8 words' })
      .optional(),
    limit: pageLimit(50),
    cursor: cursor.optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, {
    message: '`from` must not be after `to`',
    path: ['from'],
  });
export type DocumentListQuery = z.infer<typeof DocumentListQuery>;

export const DocumentPatch = z
  .strictObject({
    title: z.string().trim().min(1).max(200).optional(),
    category: Category.optional(),
    encounterId: id.nullable().optional(),
    documentDate: isoDate.optional(),
  })
  .refine((p) => Object.keys(p).length > 0, { message: 'Nothing to change' });
export type DocumentPatch = z.infer<typeof DocumentPatch>;

export const AuditEvent = z.object({
  id,
  seq: z.number().int(),
  userId: id.nullable(),
  action: z.string(),
  entityType: z.string().nullable(),
  entityId: z.string().nullable(),
  patientId: id.nullable(),
  outcome: z.enum(['success', 'failure']),
  occurredAt: isoDateTime,
  clientAddress: z.string().nullable(),
  userAgent: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

export const AuditQuery = z.strictObject({
  userId: id.optional(),
  patientId: id.optional(),
  action: z.string().max(64).optional(),
  entityId: z.string().max(64).optional(),
  from: isoDateTime.optional(),
  to: isoDateTime.optional(),
  limit: pageLimit(50),
  cursor: cursor.optional(),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditVerification = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  firstBroken: z.object({ id: z.string(), seq: z.number().int(), reason: z.string() }).nullable(),
});
export type AuditVerification = z.infer<typeof AuditVerification>;

export const Health = z.object({
  status: z.literal('ok'),
  version: z.string(),
  database: z.enum(['sqlite', 'postgres']),
});

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export type Page<T> = { items: T[]; nextCursor: string | null };

export type CategoryPermissions = Record<CategoryName, { read: boolean; write: boolean }>;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex SHA-256');
const MAX_UPLOAD_BYTES = 5 * 1024 ** 4;

export const UploadCreate = z.strictObject({
  /** chosen by the client; also the idempotency key and the id of the document it becomes */
  id,
  patientId: id,
  encounterId: id.nullable().optional(),
  category: Category,
  title: z.string().trim().min(1).max(200),
  fileName: z.string().min(1).max(255),
  contentType: z.string().min(1).max(100),
  size: z.number().int().positive().max(MAX_UPLOAD_BYTES),
  sha256: sha256Hex,
  documentDate: isoDate.optional(),
  batchId: id.optional(),
  source: DocumentSource.optional(),
});
export type UploadCreate = z.infer<typeof UploadCreate>;

export const UploadStatus = z.enum([
  'pending',
  'verifying',
  'completed',
  'failed',
  'aborted',
  'expired',
]);

export const UploadState = z.object({
  id,
  status: UploadStatus,
  batchId: id.nullable(),
  size: z.number().int(),
  partSize: z.number().int(),
  partCount: z.number().int(),
  expiresAt: isoDateTime,
  /** parts the storage holds, or null when the storage cannot tell (the client keeps its own record) */
  parts: z
    .array(z.object({ partNumber: z.number().int(), size: z.number().int(), etag: z.string() }))
    .nullable(),
  documentId: id.nullable(),
  error: z.string().nullable(),
  document: DocumentReference.nullable(),
});
export type UploadState = z.infer<typeof UploadState>;

export const SignPartsRequest = z.strictObject({
  partNumbers: z.array(z.number().int().min(1).max(10_000)).min(1).max(100),
});

export const SignedParts = z.object({
  parts: z.array(
    z.object({ partNumber: z.number().int(), url: z.string(), expiresAt: isoDateTime }),
  ),
});
export type SignedParts = z.infer<typeof SignedParts>;

export const CompleteUpload = z.strictObject({
  parts: z
    .array(
      z.strictObject({
        partNumber: z.number().int().min(1).max(10_000),
        etag: z.string().min(1).max(200),
      }),
    )
    .min(1)
    .max(10_000),
});
export type CompleteUpload = z.infer<typeof CompleteUpload>;

export const BatchCommit = z.strictObject({
  /** when given, the batch must consist of exactly these uploads */
  uploadIds: z.array(id).min(1).max(1000).optional(),
});

export const FileResult = z.object({
  uploadId: z.string(),
  fileName: z.string(),
  status: z.enum(['succeeded', 'failed']),
  documentId: id.nullable(),
  reason: z.string().nullable(),
});
export type FileResult = z.infer<typeof FileResult>;

export const BatchResult = z.object({
  batchId: z.string(),
  status: z.enum(['committed', 'failed']),
  succeeded: z.number().int(),
  failed: z.number().int(),
  files: z.array(FileResult),
});
export type BatchResult = z.infer<typeof BatchResult>;

export const UrlRequest = z.strictObject({
  expiresInSeconds: z.number().int().min(60).max(3600).default(900),
  disposition: z.enum(['inline', 'attachment']).default('inline'),
});
export type UrlRequest = z.infer<typeof UrlRequest>;

export const DocumentUrls = z.object({
  url: z.string(),
  thumbnailUrl: z.string().nullable(),
  expiresAt: isoDateTime,
});
export type DocumentUrls = z.infer<typeof DocumentUrls>;

export const ActivityEvent = z.object({
  seq: z.number().int(),
  id,
  type: z.string(),
  entityType: z.string(),
  entityId: z.string(),
  patientId: id.nullable(),
  actorId: id.nullable(),
  payload: z.record(z.string(), z.unknown()),
  occurredAt: isoDateTime,
});
export type ActivityEvent = z.infer<typeof ActivityEvent>;

export const EventsQuery = z.strictObject({
  after: z.coerce.number().int().min(0).default(0),
  limit: pageLimit(100),
});

export const ProfileType = z.enum(['patient', 'practitioner']);
export const ProfileParams = z.strictObject({ type: ProfileType, id });

export const ProfileImage = z.object({
  url: z.string(),
  avatarUrl: z.string(),
  expiresAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type ProfileImage = z.infer<typeof ProfileImage>;

/** Form fields of POST documents and documents/bulk (multipart/form-data, files in `file` parts). */
export const DirectUploadFields = z.strictObject({
  patientId: id,
  category: Category,
  encounterId: id.optional(),
  title: z.string().trim().min(1).max(200).optional(),
  documentDate: isoDate.optional(),
  source: DocumentSource.default('api'),
});
export type DirectUploadFields = z.infer<typeof DirectUploadFields>;
