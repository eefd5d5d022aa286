// Serving the IPC contract (src/shared/ipc/contract.ts). The handler map, `invokeChannel` and the
// event hub know nothing of their transport: `bindIpcMain` and `bindIpcEvents` serve them to the
// app's own renderer over Electron IPC, and ./transport/websocket.ts serves the same map to a
// browser in end-to-end tests. Electron's ipcMain and webContents are passed in, so all of this
// runs under plain Node in unit tests.
import {
  CHANNELS,
  EVENT_CONTRACT,
  INGEST_PROGRESS,
  INGEST_SCAN_PAGE,
  IPC_CONTRACT,
  UPLOADS_CHANGED,
  type Channel,
  type ChannelInput,
  type ChannelOutput,
  type EventName,
  type EventPayload,
} from '../shared/ipc/contract.js';
import type { InvokeReply, RemoteErrorShape } from '../shared/ipc/wire.js';
import { isRendererUrl, type RendererLocation } from './app-protocol.js';
import { Listeners } from './listeners.js';
import { OfflineError } from './services/api/http.js';
import { describeIssues } from '../shared/ipc/issues.js';

/** What main does for each channel, given input that has already passed the channel's schema. */
export type IpcHandlers = {
  [C in Channel]: (input: ChannelInput<C>) => Promise<ChannelOutput<C>>;
};

export type IpcErrorCode = 'unknown_channel' | 'invalid_input' | 'invalid_output' | 'refused';

/** A call main refused before or after its handler ran. */
export class IpcError extends Error {
  override name = 'IpcError';
  constructor(
    readonly code: IpcErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Calls the handler for `channel` with the arguments a caller sent. The input must match the
 * channel's schema, and so must the handler's result, so a bug in main never reaches the
 * renderer as a malformed value.
 */
export async function invokeChannel(
  handlers: IpcHandlers,
  channel: string,
  args: readonly unknown[],
): Promise<unknown> {
  if (!isChannel(channel))
    throw new IpcError('unknown_channel', `Unknown IPC channel "${channel}".`);
  if (args.length > 1) {
    throw new IpcError(
      'invalid_input',
      `Invalid input for ${channel}: expected at most one argument, got ${args.length}.`,
    );
  }
  const { input: inputSchema, output: outputSchema } = IPC_CONTRACT[channel];
  const input = inputSchema.safeParse(args[0]);
  if (!input.success) {
    throw new IpcError(
      'invalid_input',
      `Invalid input for ${channel}: ${describeIssues(input.error.issues)}.`,
    );
  }
  const handler = handlers[channel] as (input: unknown) => Promise<unknown>;
  const output = outputSchema.safeParse(await handler(input.data));
  if (!output.success) {
    throw new IpcError(
      'invalid_output',
      `${channel} produced a result that breaks the IPC contract: ${describeIssues(output.error.issues)}.`,
    );
  }
  return output.data;
}

/**
 * A failed call as any transport sends it: the error's own message, and a stable code — the
 * IPC error's, the API's problem code, `offline`, or `internal` for anything unexpected.
 */
export function remoteErrorOf(error: unknown): RemoteErrorShape {
  if (error instanceof OfflineError) return { message: error.message, code: 'offline' };
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { message: error.message, code: typeof code === 'string' ? code : 'internal' };
  }
  return { message: String(error), code: 'internal' };
}

/** The parts of Electron's `IpcMainInvokeEvent` and `ipcMain` the binding uses. */
export interface InvokeEventLike {
  senderFrame: { url: string } | null;
}
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
}

/**
 * Answers every channel of the contract over Electron IPC, only for frames showing the app's own
 * renderer, so a page that somehow loaded elsewhere in the window cannot reach main. Answers are
 * InvokeReply values rather than rejections, because Electron would pass a rejection on as a
 * message alone, prefixed with its own words.
 */
export function bindIpcMain(
  ipcMain: IpcMainLike,
  handlers: IpcHandlers,
  renderer: RendererLocation,
): void {
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, async (event, ...args): Promise<InvokeReply> => {
      try {
        assertFromRenderer(event, channel, renderer);
        return { ok: true, output: await invokeChannel(handlers, channel, args) };
      } catch (error) {
        return { ok: false, error: remoteErrorOf(error) };
      }
    });
  }
}

function assertFromRenderer(
  event: InvokeEventLike,
  channel: Channel,
  renderer: RendererLocation,
): void {
  const url = event.senderFrame?.url;
  if (!isRendererUrl(url, renderer)) {
    throw new IpcError(
      'refused',
      `Refused ${channel}: the request came from ${url ?? 'a closed frame'}, not the app.`,
    );
  }
}

export interface EventMessage {
  event: EventName;
  payload: unknown;
}

/**
 * Where main's services publish the contract's events and transports pick them up. A payload
 * that breaks the contract is reported as the bug it is and sent nowhere.
 */
/**
 * Whether a message tells of one moment — a page scanned, a step of progress, one upload item
 * that changed — rather than whole state. A page that loads later gets none of these (it
 * reads the state instead), or a new window would show a scan page or progress from minutes
 * ago; the upload queue's summary is whole state and is kept.
 */
function isMomentary({ event, payload }: EventMessage): boolean {
  if (event === INGEST_SCAN_PAGE || event === INGEST_PROGRESS) return true;
  return event === UPLOADS_CHANGED && (payload as { type: string }).type !== 'summary';
}

export class EventHub {
  private readonly listeners = new Listeners<EventMessage>();
  private readonly last = new Map<EventName, EventMessage>();

  constructor(
    private readonly reportBreach: (message: string) => void = (message) => console.error(message),
  ) {}

  publish<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const parsed = EVENT_CONTRACT[event].safeParse(payload);
    if (!parsed.success) {
      this.reportBreach(
        `The ${event} event broke the IPC contract and was not sent: ${describeIssues(parsed.error.issues)}.`,
      );
      return;
    }
    const message = { event, payload: parsed.data };
    if (!isMomentary(message)) this.last.set(event, message);
    this.listeners.emit(message);
  }

  /**
   * The last message of each event that carries whole state (the session, the settings, the
   * inbox), to bring a renderer that has just (re)loaded up to date.
   */
  latest(): EventMessage[] {
    return [...this.last.values()];
  }

  subscribe(listener: (message: EventMessage) => void): () => void {
    return this.listeners.add(listener);
  }
}

/** The parts of Electron's `WebContents` that events are sent through. */
export interface EventTargetLike {
  isDestroyed(): boolean;
  getURL(): string;
  send(channel: string, payload: unknown): void;
}

/**
 * Pushes every event of the hub to the window's renderer, on a channel named after the event,
 * only while the window shows the app itself. Returns the function that stops it.
 */
export function bindIpcEvents(
  hub: EventHub,
  target: () => EventTargetLike | undefined,
  renderer: RendererLocation,
): () => void {
  return hub.subscribe((message) => sendEvent(target(), message, renderer));
}

/** Sends the latest state of every event, e.g. when the window has (re)loaded the renderer. */
export function sendLatestEvents(
  hub: EventHub,
  contents: EventTargetLike,
  renderer: RendererLocation,
): void {
  for (const message of hub.latest()) sendEvent(contents, message, renderer);
}

function sendEvent(
  contents: EventTargetLike | undefined,
  { event, payload }: EventMessage,
  renderer: RendererLocation,
): void {
  if (!contents || contents.isDestroyed()) return;
  // Only the app's own page may hear main; a window that somehow navigated away gets nothing.
  if (!isRendererUrl(contents.getURL(), renderer)) return;
  contents.send(event, payload);
}

function isChannel(channel: string): channel is Channel {
  return Object.hasOwn(IPC_CONTRACT, channel);
}
