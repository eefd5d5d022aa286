// The handlers of the offline channels (src/shared/ipc/offline.ts); merged into ./handlers.ts.
// The offline service starts with the work services (work.ts); until then the status says the
// cache is not available and changes are refused with a message.
import {
  OFFLINE_CONFLICTS,
  OFFLINE_EVICT,
  OFFLINE_PIN,
  OFFLINE_RESOLVE_CONFLICT,
  OFFLINE_STATUS,
  OFFLINE_SYNC,
  OFFLINE_UNPIN,
  OFFLINE_WIPE,
  type OFFLINE_METHODS,
  type OfflineStatus,
  type Settings,
} from '../shared/ipc/contract.js';
import type { IpcHandlers } from './ipc.js';
import { idleProgress } from './services/cache/model.js';
import type { OfflineService } from './services/offline/offline-service.js';

export type OfflineChannel = keyof typeof OFFLINE_METHODS;

export interface OfflineHandlerDependencies {
  offline: () => OfflineService | undefined;
  settings: { get(): Settings };
}

export function createOfflineHandlers(
  deps: OfflineHandlerDependencies,
): Pick<IpcHandlers, OfflineChannel> {
  const started = (): OfflineService => {
    const offline = deps.offline();
    if (!offline) {
      throw new Error('The offline cache is still starting. Try again in a moment.');
    }
    return offline;
  };
  return {
    [OFFLINE_STATUS]: async () =>
      deps.offline()?.status() ?? notStarted(deps.settings.get().cacheSizeMb),
    [OFFLINE_PIN]: (target) => started().pin(target),
    [OFFLINE_UNPIN]: (target) => started().unpin(target),
    [OFFLINE_SYNC]: () => started().syncNow(),
    [OFFLINE_WIPE]: () => started().wipe(),
    [OFFLINE_EVICT]: ({ allowPinned }) => started().evict(allowPinned),
    [OFFLINE_CONFLICTS]: async () => deps.offline()?.conflicts() ?? { items: [] },
    [OFFLINE_RESOLVE_CONFLICT]: ({ id, keep }) => started().resolve(id, keep),
  };
}

export const megabytes = (mb: number): number => mb * 1024 * 1024;

function notStarted(cacheSizeMb: number): OfflineStatus {
  return {
    available: false,
    pins: [],
    sync: idleProgress('The offline cache is starting.'),
    usage: { usedBytes: 0, limitBytes: megabytes(cacheSizeMb), pinnedBytes: 0, patients: [] },
    maxAgeMs: null,
    needsEvictionConsent: false,
    pendingAnnotations: 0,
    pendingViews: 0,
    conflicts: 0,
  };
}
