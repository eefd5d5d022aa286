// What the offline cache records about itself (the index, kept encrypted) and what it tells its
// listeners. Plain data, so the IPC contract can carry the public parts to the renderer.
import { z } from 'zod';

export const PinTarget = z.union([
  z.strictObject({ patientId: z.uuid() }),
  z.strictObject({ encounterId: z.uuid() }),
  z.strictObject({ documentIds: z.array(z.uuid()).min(1).max(1000) }),
]);
/** What the user marked "available offline": a patient, an encounter, or single documents. */
export type PinTarget = z.infer<typeof PinTarget>;

export const Pin = z.object({
  id: z.uuid(),
  target: PinTarget,
  createdAt: z.string(),
});
export type Pin = z.infer<typeof Pin>;

export const Entry = z.object({
  documentId: z.string(),
  patientId: z.string(),
  encounterId: z.string().nullable(),
  sha256: z.string(),
  /** plaintext bytes of the file */
  size: z.number().int().nonnegative(),
  contentType: z.string(),
  /** SHA-256 of the metadata saved: the server's differing means saving it again */
  metadataSha256: z.string(),
  /** none: not downloaded; partial: a download was interrupted; complete: checked and usable */
  file: z.enum(['none', 'partial', 'complete']),
  thumbnail: z.boolean(),
  annotations: z.boolean(),
  /** bytes the entry's blobs take on disk */
  diskBytes: z.number().int().nonnegative(),
  /** when the server last confirmed the copy; an administrator's maximum age counts from here */
  confirmedAt: z.string(),
  /** when the document was last opened from the cache (or cached); orders eviction */
  accessedAt: z.string(),
});
export type Entry = z.infer<typeof Entry>;

export const PatientRecord = z.object({
  /** bytes of the patient's and encounters' blobs */
  diskBytes: z.number().int().nonnegative(),
  confirmedAt: z.string(),
});

export const CacheIndex = z.object({
  version: z.literal(1),
  /** whose copies these are (server and user); null until first used */
  owner: z.string().nullable(),
  pins: z.array(Pin),
  entries: z.record(z.string(), Entry),
  patients: z.record(z.string(), PatientRecord),
});
export type CacheIndex = z.infer<typeof CacheIndex>;

export const emptyIndex = (): CacheIndex => ({
  version: 1,
  owner: null,
  pins: [],
  entries: {},
  patients: {},
});

export interface CacheLimits {
  /** the most the cache may take on disk */
  maxBytes: number;
  /** offline copies not confirmed by the server for longer than this are removed; null: never */
  maxAgeMs: number | null;
}

export interface SyncProgress {
  state: 'idle' | 'syncing' | 'offline' | 'failed';
  documentsDone: number;
  documentsTotal: number;
  /** file bytes downloaded in this pass, and still to download when it started */
  bytesDone: number;
  bytesTotal: number;
  currentDocumentId: string | null;
  /** pinned documents left out because they do not fit within the size limit */
  overLimit: number;
  lastSyncedAt: string | null;
  message: string | null;
}

/** No pass under way and none done yet, with `message` for the user. */
export const idleProgress = (message: string | null = null): SyncProgress => ({
  state: 'idle',
  documentsDone: 0,
  documentsTotal: 0,
  bytesDone: 0,
  bytesTotal: 0,
  currentDocumentId: null,
  overLimit: 0,
  lastSyncedAt: null,
  message,
});

export interface PatientUsage {
  patientId: string;
  /** from the cached patient record; null when none is cached */
  name: string | null;
  mrn: string | null;
  documents: number;
  bytes: number;
  pinnedBytes: number;
}

export interface CacheUsage {
  usedBytes: number;
  limitBytes: number;
  pinnedBytes: number;
  patients: PatientUsage[];
}

export type CacheEvent =
  | { type: 'progress'; progress: SyncProgress }
  /** pins, entries or usage changed */
  | { type: 'changed' }
  /** something the user should hear about: a damaged copy dropped, a checksum mismatch */
  | { type: 'problem'; documentId: string | null; message: string };

/** A document view served from the cache, which the server did not see; sent to its audit log. */
export interface OfflineView {
  id: string;
  documentId: string;
  patientId: string;
  userId: string | null;
  viewedAt: string;
}
