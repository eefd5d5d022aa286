// The channels and events of the IPC contract and the `window.api` function each one is exposed
// as. Kept apart from the schemas in ./contract.ts, which must name exactly these, so that the
// preload, which only forwards calls for main to validate, does not bundle zod.

import { INGEST_EVENT_METHODS, INGEST_METHODS } from './ingest-channels.js';
import { OFFLINE_EVENT_METHODS, OFFLINE_METHODS } from './offline-channels.js';
import { RECORDS_EVENT_METHODS, RECORDS_METHODS } from './records-channels.js';

export * from './ingest-channels.js';
export * from './offline-channels.js';
export * from './records-channels.js';

export const API_HEALTH = 'api:health';
export const SESSION_GET = 'session:get';
export const SESSION_SIGN_IN = 'session:sign-in';
export const SESSION_SIGN_OUT = 'session:sign-out';
export const SETTINGS_GET = 'settings:get';
export const SETTINGS_UPDATE = 'settings:update';
export const SECRETS_STATUS = 'secrets:status';
export const UPLOADS_LIST = 'uploads:list';
export const UPLOADS_PAUSE = 'uploads:pause';
export const UPLOADS_RESUME = 'uploads:resume';
export const UPLOADS_CANCEL = 'uploads:cancel';
export const UPLOADS_RETRY = 'uploads:retry';
export const NOTICES_LIST = 'notices:list';
export const NOTICES_DISMISS = 'notices:dismiss';

/** Request/response channels: renderer asks, main answers. */
export const IPC_METHODS = {
  [API_HEALTH]: 'health',
  [SESSION_GET]: 'getSession',
  [SESSION_SIGN_IN]: 'signIn',
  [SESSION_SIGN_OUT]: 'signOut',
  [SETTINGS_GET]: 'getSettings',
  [SETTINGS_UPDATE]: 'updateSettings',
  [SECRETS_STATUS]: 'getSecretStatus',
  [UPLOADS_LIST]: 'listUploads',
  [UPLOADS_PAUSE]: 'pauseUploads',
  [UPLOADS_RESUME]: 'resumeUploads',
  [UPLOADS_CANCEL]: 'cancelUploads',
  [UPLOADS_RETRY]: 'retryUploads',
  [NOTICES_LIST]: 'listNotices',
  [NOTICES_DISMISS]: 'dismissNotices',
  ...INGEST_METHODS,
  ...RECORDS_METHODS,
  ...OFFLINE_METHODS,
} as const;

export type Channel = keyof typeof IPC_METHODS;
export const CHANNELS = Object.keys(IPC_METHODS) as Channel[];

export const SESSION_CHANGED = 'session:changed';
export const SETTINGS_CHANGED = 'settings:changed';
export const SECRETS_BACKEND_WARNING = 'secrets:backend-warning';
export const UPLOADS_CHANGED = 'uploads:changed';
export const NOTICES_CHANGED = 'notices:changed';

/** Events: main pushes, the renderer subscribes with `on*(listener)`, which returns an unsubscribe. */
export const EVENT_METHODS = {
  [SESSION_CHANGED]: 'onSessionChanged',
  [SETTINGS_CHANGED]: 'onSettingsChanged',
  [SECRETS_BACKEND_WARNING]: 'onSecretBackendWarning',
  [UPLOADS_CHANGED]: 'onUploadsChanged',
  [NOTICES_CHANGED]: 'onNoticesChanged',
  ...INGEST_EVENT_METHODS,
  ...RECORDS_EVENT_METHODS,
  ...OFFLINE_EVENT_METHODS,
} as const;

export type EventName = keyof typeof EVENT_METHODS;
export const EVENTS = Object.keys(EVENT_METHODS) as EventName[];
