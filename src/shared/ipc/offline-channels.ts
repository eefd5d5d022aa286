// The offline channels and events of the IPC contract (issue #6: "available offline", the
// encrypted cache, annotations made offline) and the `window.api` function each is exposed as;
// merged into ./channels.ts. No zod here (the preload bundles this). Schemas: ./offline.ts.

export const OFFLINE_PIN = 'offline:pin';
export const OFFLINE_UNPIN = 'offline:unpin';
export const OFFLINE_STATUS = 'offline:status';
export const OFFLINE_SYNC = 'offline:sync';
export const OFFLINE_WIPE = 'offline:wipe';
export const OFFLINE_EVICT = 'offline:evict';
export const OFFLINE_CONFLICTS = 'offline:annotation-conflicts';
export const OFFLINE_RESOLVE_CONFLICT = 'offline:resolve-annotation-conflict';

/** Request/response channels: renderer asks, main answers. */
export const OFFLINE_METHODS = {
  [OFFLINE_PIN]: 'pinOffline',
  [OFFLINE_UNPIN]: 'unpinOffline',
  [OFFLINE_STATUS]: 'getOfflineStatus',
  [OFFLINE_SYNC]: 'syncOfflineNow',
  [OFFLINE_WIPE]: 'wipeOfflineCache',
  [OFFLINE_EVICT]: 'evictOfflineCopies',
  [OFFLINE_CONFLICTS]: 'listAnnotationConflicts',
  [OFFLINE_RESOLVE_CONFLICT]: 'resolveAnnotationConflict',
} as const;

export const OFFLINE_CHANGED = 'offline:changed';
export const OFFLINE_CONFLICTS_CHANGED = 'offline:annotation-conflicts-changed';

/** Events main pushes for this feature. */
export const OFFLINE_EVENT_METHODS = {
  [OFFLINE_CHANGED]: 'onOfflineChanged',
  [OFFLINE_CONFLICTS_CHANGED]: 'onAnnotationConflictsChanged',
} as const;
