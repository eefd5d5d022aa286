// The handler for every IPC channel, built from main's services. Transport-agnostic: ./ipc.ts
// validates and serves this map, over Electron IPC or any other transport.
import { API_HEALTH } from '../shared/ipc/contract.js';
import type { IpcHandlers } from './ipc.js';
import { checkApiHealth } from './services/api-health.js';

export interface HandlerDependencies {
  /** Base URL of the companion API, without a trailing slash. */
  apiBaseUrl: string;
  fetch: typeof globalThis.fetch;
}

export function createHandlers(deps: HandlerDependencies): IpcHandlers {
  return {
    [API_HEALTH]: () => checkApiHealth({ baseUrl: deps.apiBaseUrl, fetch: deps.fetch }),
  };
}
