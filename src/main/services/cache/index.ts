// The offline cache's public face for main's wiring (compose/work) and its tests.
export {
  ChecksumMismatchError,
  NotAvailableOfflineError,
  OfflineCache,
  openOfflineCache,
  type OfflineCacheOptions,
  type OpenedDocument,
  type OpenedStream,
} from './offline-cache.js';
export { CacheIntegrityError } from './blob-crypto.js';
export { CACHE_KEY_SECRET } from './key-store.js';
export type {
  CacheEvent,
  CacheLimits,
  CacheUsage,
  OfflineView,
  PatientUsage,
  Pin,
  PinTarget,
  SyncProgress,
} from './model.js';
