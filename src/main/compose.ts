// Builds main's services from what differs between the Electron app and the headless server
// (where settings and secrets are kept), and connects them to the contract's events. Plain Node.
import {
  NOTICES_CHANGED,
  SECRETS_BACKEND_WARNING,
  SESSION_CHANGED,
  SETTINGS_CHANGED,
  type Settings,
} from '../shared/ipc/contract.js';
import { createHandlers, type UploadControls } from './handlers.js';
import { EventHub, type IpcHandlers } from './ipc.js';
import type { IngestService } from './services/ingest/index.js';
import { NoticeBoard } from './services/notices.js';
import type { OfflineService } from './services/offline/offline-service.js';
import type { SecretStore } from './services/secrets/secret-store.js';
import { SessionService } from './services/session/session-service.js';
import { SettingsService, type SettingsStore } from './services/settings/settings-service.js';
import type { Stoppable } from './shutdown.js';

export interface MainDependencies {
  settingsStore: SettingsStore;
  secrets: SecretStore;
  fetch: typeof globalThis.fetch;
  /** defaults that differ from the built-in ones, e.g. the server URL from MEDAIUS_API_URL */
  defaults?: Partial<Settings>;
  /** how long to wait before asking an unreachable server again */
  offlineRetryMs?: number;
  /** how often an online session checks that the server is still there */
  heartbeatMs?: number;
  /** where annotated PDFs are exported (default: the user's Downloads folder) */
  exportDir?: string;
}

export interface MainServices {
  settings: SettingsService;
  secrets: SecretStore;
  session: SessionService;
  events: EventHub;
  /** problems met by background work, shown to the user until dismissed */
  notices: NoticeBoard;
  handlers: IpcHandlers;
  /** set by startWork (work.ts) once the upload queue runs */
  uploads: { current?: UploadControls };
  /** set by startWork (work.ts) once the ingest inbox is open */
  ingest: { current?: IngestService };
  /** set by startWork (work.ts) once the offline cache is open */
  offline: { current?: OfflineService };
  /**
   * What must stop before the process exits, in order. Services added later (the upload queue,
   * which flushes queued work) go first: they may still need the session.
   */
  stoppables: Stoppable[];
}

export function composeMain(deps: MainDependencies): MainServices {
  const settings = new SettingsService({ store: deps.settingsStore, defaults: deps.defaults });
  const session = new SessionService({
    secrets: deps.secrets,
    settings,
    fetch: deps.fetch,
    offlineRetryMs: deps.offlineRetryMs,
    heartbeatMs: deps.heartbeatMs,
  });
  const events = new EventHub();
  const notices = new NoticeBoard();
  const uploads: MainServices['uploads'] = {};
  const ingest: MainServices['ingest'] = {};
  const offline: MainServices['offline'] = {};
  // Every event carries whole state, so the hub's latest of each brings a new window up to date.
  events.publish(SETTINGS_CHANGED, settings.get());
  events.publish(SESSION_CHANGED, session.state());
  const secretStatus = deps.secrets.status();
  if (secretStatus.warning) events.publish(SECRETS_BACKEND_WARNING, secretStatus);
  const unsubscribe = [
    settings.subscribe((value) => events.publish(SETTINGS_CHANGED, value)),
    session.subscribe((state) => events.publish(SESSION_CHANGED, state)),
    notices.subscribe((list) => events.publish(NOTICES_CHANGED, list)),
  ];
  return {
    settings,
    secrets: deps.secrets,
    session,
    events,
    notices,
    uploads,
    ingest,
    offline,
    handlers: createHandlers({
      uploads: () => uploads.current,
      ingest: () => ingest.current,
      offline: () => offline.current,
      settings,
      session,
      secrets: deps.secrets,
      notices,
      fetch: deps.fetch,
      exportDir: deps.exportDir,
    }),
    stoppables: [
      { name: 'session', stop: () => session.stop() },
      { name: 'events', stop: () => unsubscribe.forEach((stop) => stop()) },
    ],
  };
}
