// How calls and events travel between main and a renderer, whichever the transport (Electron IPC
// or the local WebSocket): a failed call comes back as a value with a message and a stable code,
// because Electron IPC passes on only an error's message, prefixed with its own words. No zod, so
// the preload can bundle it.

/** `code`: `invalid_input`, `unknown_channel`, `invalid_output`, `refused`, `offline`, an API error code, or `internal`. */
export interface RemoteErrorShape {
  message: string;
  code: string;
}

/** The answer main sends for one call over Electron IPC. */
export type InvokeReply = { ok: true; output: unknown } | { ok: false; error: RemoteErrorShape };

/** A call that main refused or that failed there, as the renderer sees it. */
export class RemoteError extends Error {
  override name = 'RemoteError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** Unwraps main's reply: the output, or a RemoteError with main's own message. */
export function outputOf(reply: unknown): unknown {
  if (typeof reply === 'object' && reply !== null && 'ok' in reply) {
    const answer = reply as InvokeReply;
    if (answer.ok) return answer.output;
    throw new RemoteError(answer.error.message, answer.error.code);
  }
  throw new RemoteError(
    'The app’s main process sent an answer this window cannot read.',
    'internal',
  );
}

/** WebSocket messages. A client sends requests; the server sends responses and events. */
export interface WsRequest {
  id: number | string;
  channel: string;
  input?: unknown;
}
export type WsResponse =
  | { id: number | string; output: unknown }
  | { id: number | string | null; error: RemoteErrorShape };
export interface WsEvent {
  event: string;
  payload: unknown;
}
