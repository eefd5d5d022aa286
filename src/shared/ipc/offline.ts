// The zod schemas of the offline channels and events named in ./offline-channels.ts; merged into
// ./contract.ts. What is available offline, how far its download is, how much room it takes,
// and annotations made offline that met a change on the server (both versions kept).
import { z } from 'zod';
import { Annotation, AnnotationContent, ANNOTATION_KINDS } from '../api/annotations.js';
import {
  OFFLINE_CHANGED,
  OFFLINE_CONFLICTS,
  OFFLINE_CONFLICTS_CHANGED,
  OFFLINE_EVICT,
  OFFLINE_PIN,
  OFFLINE_RESOLVE_CONFLICT,
  OFFLINE_STATUS,
  OFFLINE_SYNC,
  OFFLINE_UNPIN,
  OFFLINE_WIPE,
} from './offline-channels.js';

const Id = z.uuid();

/** What to keep available offline: a patient, an encounter, or single documents. */
export const OfflineTarget = z.union([
  z.strictObject({ patientId: Id }),
  z.strictObject({ encounterId: Id }),
  z.strictObject({ documentIds: z.array(Id).min(1).max(1000) }),
]);
export type OfflineTarget = z.infer<typeof OfflineTarget>;

export const OfflinePin = z.object({
  id: Id,
  target: OfflineTarget,
  /** e.g. "Ada Lovelace (MRN ALPHA-1)", "Office visit, 2026-11-20", "CBC report" */
  label: z.string(),
  /** waiting: not downloaded yet; syncing: a download is under way; ready: every copy is here */
  state: z.enum(['waiting', 'syncing', 'ready', 'offline', 'failed']),
  /** documents of this pin whose files are here, and their size (file bytes) */
  documentsCached: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  createdAt: z.string(),
});
export type OfflinePin = z.infer<typeof OfflinePin>;

export const OfflineSync = z.object({
  state: z.enum(['idle', 'syncing', 'offline', 'failed']),
  documentsDone: z.number().int().nonnegative(),
  documentsTotal: z.number().int().nonnegative(),
  bytesDone: z.number().int().nonnegative(),
  bytesTotal: z.number().int().nonnegative(),
  currentDocumentId: z.string().nullable(),
  /** pinned documents left out because they do not fit within the size limit */
  overLimit: z.number().int().nonnegative(),
  lastSyncedAt: z.string().nullable(),
  message: z.string().nullable(),
});

export const OfflinePatientUsage = z.object({
  patientId: z.string(),
  name: z.string().nullable(),
  mrn: z.string().nullable(),
  documents: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  pinnedBytes: z.number().int().nonnegative(),
});

export const OfflineStatus = z.object({
  /** false until the cache has started (signed out, or still starting) */
  available: z.boolean(),
  pins: z.array(OfflinePin),
  sync: OfflineSync,
  usage: z.object({
    usedBytes: z.number().int().nonnegative(),
    limitBytes: z.number().int().nonnegative(),
    pinnedBytes: z.number().int().nonnegative(),
    patients: z.array(OfflinePatientUsage),
  }),
  /** the administrator's maximum age of offline copies, or null when they never expire */
  maxAgeMs: z.number().int().positive().nullable(),
  /** pinned copies take more than the limit: evicting them needs the user's consent */
  needsEvictionConsent: z.boolean(),
  /** annotation changes made offline, waiting to be sent */
  pendingAnnotations: z.number().int().nonnegative(),
  /** views made from the cache, waiting to be sent to the audit log */
  pendingViews: z.number().int().nonnegative(),
  conflicts: z.number().int().nonnegative(),
});
export type OfflineStatus = z.infer<typeof OfflineStatus>;

/** The user's side of a conflict: what they did offline. */
export const MyAnnotationChange = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('update'),
    type: z.enum(ANNOTATION_KINDS),
    pageNumber: z.number().int(),
    content: AnnotationContent,
  }),
  z.object({ action: z.literal('delete') }),
  z.object({
    action: z.literal('create'),
    type: z.enum(ANNOTATION_KINDS),
    pageNumber: z.number().int(),
    content: AnnotationContent,
  }),
]);
export type MyAnnotationChange = z.infer<typeof MyAnnotationChange>;

/**
 * An annotation changed offline that the server would not take as it was: changed or deleted
 * there meanwhile (a version conflict), or refused. Both versions are kept until the user decides.
 */
export const AnnotationConflictItem = z.object({
  id: Id,
  annotationId: Id,
  documentId: Id,
  reason: z.enum(['changed-on-server', 'deleted-on-server', 'refused']),
  /** in words, e.g. the server's refusal */
  message: z.string(),
  /** the version the offline change was made against (null for an annotation made offline) */
  baseVersion: z.number().int().nullable(),
  mine: MyAnnotationChange,
  /** the annotation as the server has it now; null when it was deleted there */
  theirs: Annotation.nullable(),
  madeAt: z.string(),
  detectedAt: z.string(),
});
export type AnnotationConflictItem = z.infer<typeof AnnotationConflictItem>;

export const ResolveConflictInput = z.strictObject({
  id: Id,
  keep: z.enum(['mine', 'theirs']),
});

export const ConflictList = z.object({ items: z.array(AnnotationConflictItem) });

export const OFFLINE_CONTRACT = {
  [OFFLINE_PIN]: { input: OfflineTarget, output: OfflineStatus },
  [OFFLINE_UNPIN]: { input: OfflineTarget, output: OfflineStatus },
  [OFFLINE_STATUS]: { input: z.undefined(), output: OfflineStatus },
  [OFFLINE_SYNC]: { input: z.undefined(), output: OfflineStatus },
  [OFFLINE_WIPE]: { input: z.undefined(), output: OfflineStatus },
  [OFFLINE_EVICT]: {
    input: z.strictObject({ allowPinned: z.boolean() }),
    output: z.object({ removed: z.array(z.string()), status: OfflineStatus }),
  },
  [OFFLINE_CONFLICTS]: { input: z.undefined(), output: ConflictList },
  [OFFLINE_RESOLVE_CONFLICT]: {
    input: ResolveConflictInput,
    output: z.object({
      /** the annotation as the server now has it; null when the outcome is that none exists */
      annotation: Annotation.nullable(),
      conflicts: ConflictList,
    }),
  },
} as const;

export const OFFLINE_EVENTS = {
  [OFFLINE_CHANGED]: OfflineStatus,
  [OFFLINE_CONFLICTS_CHANGED]: ConflictList,
} as const satisfies Record<string, z.ZodType>;
