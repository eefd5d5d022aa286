// What the upload queue takes and what it tells its listeners. Plain data, so the IPC contract
// can carry it to the renderer unchanged.
import type { Category } from '../../../shared/domain.js';

/** One file to upload, as staging hands it over. */
export interface QueueItem {
  fileName: string;
  contentType: string;
  size: number;
  /** lower-case hex SHA-256 of the staged bytes; the server checks the upload against it */
  sha256: string;
  /** the staged copy the bytes are read from; the queue never moves or changes it */
  stagedPath: string;
  patientId: string;
  encounterId?: string;
  category: Category;
  title: string;
  documentDate?: string;
  source?: 'desktop' | 'scanner' | 'hot-folder';
}

export type ItemState =
  | 'queued'
  | 'uploading'
  | 'paused'
  | 'waiting-for-network'
  | 'waiting-for-sign-in'
  | 'committing'
  | 'failed'
  | 'done';

export interface ItemError {
  /**
   * the API's problem code, or the queue's own: `staged_missing`, `staged_changed`,
   * `staged_unreadable`, `storage_refused`, `batch_failed`, `upload_aborted`, `release_failed`
   */
  code: string;
  message: string;
}

export interface ItemProgress {
  /** stays the same for the item's life, also when a failed item is tried again */
  id: string;
  fileName: string;
  batchId: string | null;
  state: ItemState;
  bytesSent: number;
  size: number;
  /** bytes per second, smoothed over the last seconds; 0 while nothing moves */
  rate: number;
  /** null while the rate is unknown or nothing moves */
  etaSeconds: number | null;
  /** the document the file became, once the server confirmed it */
  documentId: string | null;
  error?: ItemError;
}

export interface QueueSummary {
  /** items not yet done or failed */
  pending: number;
  /** false after a call failed for want of a network, until one succeeds */
  online: boolean;
  /** false after the API refused the token, until tokenChanged() or resume() */
  signedIn: boolean;
}

export type QueueEvent =
  | { type: 'item'; item: ItemProgress }
  /** the item left the queue: cancelled, or dismissed after it finished */
  | { type: 'removed'; id: string }
  | { type: 'summary'; summary: QueueSummary };
