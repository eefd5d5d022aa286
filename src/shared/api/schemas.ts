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
