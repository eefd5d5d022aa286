// The one contract between renderer and main: zod schemas for the input and output of every
// channel, and the payload of every event, named in ./channels.ts. Main validates all of them;
// the preload and the renderer's `window.api` are typed from them.
import { z } from 'zod';
import { LoginRequest } from '../api/schemas.js';
import {
  API_HEALTH,
  SECRETS_BACKEND_WARNING,
  SECRETS_STATUS,
  SESSION_CHANGED,
  SESSION_GET,
  SESSION_SIGN_IN,
  SESSION_SIGN_OUT,
  SETTINGS_CHANGED,
  SETTINGS_GET,
  SETTINGS_UPDATE,
  UPLOADS_CANCEL,
  UPLOADS_CHANGED,
  UPLOADS_LIST,
  UPLOADS_PAUSE,
  UPLOADS_RESUME,
  UPLOADS_RETRY,
  type Channel,
  type EVENT_METHODS,
  type EventName,
  type IPC_METHODS,
} from './channels.js';
import { INGEST_CONTRACT, INGEST_EVENTS } from './ingest.js';
import { NOTICES_CONTRACT, NOTICES_EVENTS } from './notices.js';
import { OFFLINE_CONTRACT, OFFLINE_EVENTS } from './offline.js';
import { RECORDS_CONTRACT, RECORDS_EVENTS } from './records.js';
import { SecretStorageStatus, SessionState, SignInResult } from './session.js';
import { Settings, SettingsPatch } from './settings.js';
import { UploadEvent, UploadQueueState, UploadTarget } from './uploads.js';

export * from './channels.js';
export * from './session.js';
export * from './settings.js';
export * from './uploads.js';
export * from './ingest.js';
export * from './records.js';
export * from './offline.js';
export * from './notices.js';

/** Whether the companion API answered its health check, and if not, why, in words a user can act on. */
export const ApiHealth = z.discriminatedUnion('state', [
  z.object({ state: z.literal('connected'), baseUrl: z.string(), version: z.string() }),
  z.object({ state: z.literal('unreachable'), baseUrl: z.string(), reason: z.string() }),
]);
export type ApiHealth = z.infer<typeof ApiHealth>;

/** A channel that takes no input: the exposed function has no parameters. */
const noInput = z.undefined();

export const IPC_CONTRACT = {
  [API_HEALTH]: { input: noInput, output: ApiHealth },
  [SESSION_GET]: { input: noInput, output: SessionState },
  [SESSION_SIGN_IN]: { input: LoginRequest, output: SignInResult },
  [SESSION_SIGN_OUT]: { input: noInput, output: SessionState },
  [SETTINGS_GET]: { input: noInput, output: Settings },
  [SETTINGS_UPDATE]: { input: SettingsPatch, output: Settings },
  [SECRETS_STATUS]: { input: noInput, output: SecretStorageStatus },
  [UPLOADS_LIST]: { input: noInput, output: UploadQueueState },
  [UPLOADS_PAUSE]: { input: UploadTarget, output: UploadQueueState },
  [UPLOADS_RESUME]: { input: UploadTarget, output: UploadQueueState },
  [UPLOADS_CANCEL]: { input: UploadTarget, output: UploadQueueState },
  [UPLOADS_RETRY]: { input: UploadTarget, output: UploadQueueState },
  ...NOTICES_CONTRACT,
  ...INGEST_CONTRACT,
  ...RECORDS_CONTRACT,
  ...OFFLINE_CONTRACT,
} as const satisfies { [C in Channel]: { input: z.ZodType; output: z.ZodType } };

export const EVENT_CONTRACT = {
  [SESSION_CHANGED]: SessionState,
  [SETTINGS_CHANGED]: Settings,
  [SECRETS_BACKEND_WARNING]: SecretStorageStatus,
  [UPLOADS_CHANGED]: UploadEvent,
  ...NOTICES_EVENTS,
  ...INGEST_EVENTS,
  ...RECORDS_EVENTS,
  ...OFFLINE_EVENTS,
} as const satisfies { [E in EventName]: z.ZodType };

export type IpcContract = typeof IPC_CONTRACT;
export type ChannelInput<C extends Channel> = z.input<IpcContract[C]['input']>;
export type ChannelOutput<C extends Channel> = z.output<IpcContract[C]['output']>;
export type EventPayload<E extends EventName> = z.output<(typeof EVENT_CONTRACT)[E]>;

/** The function the preload exposes for channel C: no parameters when the channel takes no input. */
export type ExposedFunction<C extends Channel> = [ChannelInput<C>] extends [undefined]
  ? () => Promise<ChannelOutput<C>>
  : (input: ChannelInput<C>) => Promise<ChannelOutput<C>>;

/** Subscribes to event E; the returned function unsubscribes. */
export type ExposedSubscription<E extends EventName> = (
  listener: (payload: EventPayload<E>) => void,
) => () => void;

/** `window.api`: one function per channel and one `on*` per event, named as ./channels.ts says. */
export type ExposedApi = {
  [C in Channel as (typeof IPC_METHODS)[C]]: ExposedFunction<C>;
} & {
  [E in EventName as (typeof EVENT_METHODS)[E]]: ExposedSubscription<E>;
};
