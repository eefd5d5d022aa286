// The handler for every IPC channel, built from main's services. Transport-agnostic: ./ipc.ts
// validates and serves this map, over Electron IPC or the local WebSocket.
import {
  API_HEALTH,
  SECRETS_STATUS,
  SESSION_GET,
  SESSION_SIGN_IN,
  SESSION_SIGN_OUT,
  SETTINGS_GET,
  SETTINGS_UPDATE,
} from '../shared/ipc/contract.js';
import type { IpcHandlers } from './ipc.js';
import { checkApiHealth } from './services/api-health.js';
import type { SecretStore } from './services/secrets/secret-store.js';
import type { SessionService } from './services/session/session-service.js';
import type { SettingsService } from './services/settings/settings-service.js';

export interface HandlerDependencies {
  settings: SettingsService;
  session: SessionService;
  secrets: SecretStore;
  fetch: typeof globalThis.fetch;
}

export function createHandlers({
  settings,
  session,
  secrets,
  fetch,
}: HandlerDependencies): IpcHandlers {
  return {
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
  };
}
