// The handler for every IPC channel, built from main's services. Transport-agnostic: ./ipc.ts
// validates and serves this map, over Electron IPC or the local WebSocket.
import {
  API_HEALTH,
  NOTICES_DISMISS,
  NOTICES_LIST,
  SECRETS_STATUS,
  SESSION_GET,
  SESSION_SIGN_IN,
  SESSION_SIGN_OUT,
  SETTINGS_GET,
  SETTINGS_UPDATE,
  UPLOADS_CANCEL,
  UPLOADS_LIST,
  UPLOADS_PAUSE,
  UPLOADS_RESUME,
  UPLOADS_RETRY,
  type UploadQueueState,
} from '../shared/ipc/contract.js';
import { createIngestHandlers } from './ingest-handlers.js';
import type { IpcHandlers } from './ipc.js';
import { createOfflineHandlers } from './offline-handlers.js';
import { createRecordsHandlers } from './records-handlers.js';
import { checkApiHealth } from './services/api-health.js';
import type { IngestService } from './services/ingest/index.js';
import type { NoticeBoard } from './services/notices.js';
import type { OfflineService } from './services/offline/offline-service.js';
import type { SecretStore } from './services/secrets/secret-store.js';
import type { SessionService } from './services/session/session-service.js';
import type { SettingsService } from './services/settings/settings-service.js';

/** The upload queue as the renderer may steer it; present once the work services started. */
export interface UploadControls {
  state(): UploadQueueState;
  pause(id?: string): Promise<void>;
  resume(id?: string): Promise<void>;
  cancel(id?: string): Promise<void>;
  /** tries failed items again: one (with the failed files of its batch) or all */
  retry(id?: string): Promise<void>;
}

export interface HandlerDependencies {
  uploads: () => UploadControls | undefined;
  /** the ingest inbox and scanner; present once the work services started */
  ingest: () => IngestService | undefined;
  /** the offline cache, its content server and the annotation outbox; present once work started */
  offline: () => OfflineService | undefined;
  settings: SettingsService;
  session: SessionService;
  secrets: SecretStore;
  /** problems met by background work, until the user dismisses them */
  notices: NoticeBoard;
  fetch: typeof globalThis.fetch;
  /** where annotated PDFs are exported (default: the user's Downloads folder) */
  exportDir?: string;
}

export function createHandlers(deps: HandlerDependencies): IpcHandlers {
  const { uploads, settings, session, secrets, fetch } = deps;
  return {
    ...createIngestHandlers(deps),
    ...createRecordsHandlers(deps),
    ...createOfflineHandlers(deps),
    [API_HEALTH]: () => checkApiHealth({ baseUrl: session.serverUrl(), fetch }),
    [SESSION_GET]: async () => session.state(),
    [SESSION_SIGN_IN]: (credentials) => session.signIn(credentials),
    [SESSION_SIGN_OUT]: () => session.signOut(),
    [SETTINGS_GET]: async () => settings.get(),
    [SETTINGS_UPDATE]: async (patch) => {
      if (patch.serverUrl !== undefined) session.assertServerChangeAllowed(patch.serverUrl);
      return settings.update(patch);
    },
    [SECRETS_STATUS]: async () => secrets.status(),
    [UPLOADS_LIST]: async () => started(uploads).state(),
    [UPLOADS_PAUSE]: async ({ id }) => steer(started(uploads), 'pause', id),
    [UPLOADS_RESUME]: async ({ id }) => steer(started(uploads), 'resume', id),
    [UPLOADS_CANCEL]: async ({ id }) => steer(started(uploads), 'cancel', id),
    [UPLOADS_RETRY]: async ({ id }) => steer(started(uploads), 'retry', id),
    [NOTICES_LIST]: async () => deps.notices.list(),
    [NOTICES_DISMISS]: async ({ id }) => deps.notices.dismiss(id),
  };
}

function started(uploads: () => UploadControls | undefined): UploadControls {
  const controls = uploads();
  if (!controls) throw new Error('The upload queue is still starting. Try again in a moment.');
  return controls;
}

async function steer(
  controls: UploadControls,
  action: 'pause' | 'resume' | 'cancel' | 'retry',
  id: string | undefined,
): Promise<UploadQueueState> {
  await controls[action](id);
  return controls.state();
}
