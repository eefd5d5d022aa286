// Builds `window.api` from two primitives a transport provides: invoke a channel, listen to an
// event. The preload builds it over Electron IPC and src/renderer/src/lib/ws-api.ts over the
// local WebSocket, so both expose exactly the same functions. No zod, so the preload can bundle it.
import {
  CHANNELS,
  EVENT_METHODS,
  EVENTS,
  IPC_METHODS,
  type Channel,
  type EventName,
} from './channels.js';
import type { ExposedApi } from './contract.js';

export interface ApiTransport {
  /** Calls the channel in main; resolves with its output or rejects with a RemoteError. */
  invoke(channel: Channel, args: unknown[]): Promise<unknown>;
  /** Calls `listener` with each payload of the event; returns the unsubscribe. */
  listen(event: EventName, listener: (payload: unknown) => void): () => void;
}

export function createExposedApi(transport: ApiTransport): ExposedApi {
  const api: Record<string, unknown> = {};
  for (const channel of CHANNELS) {
    api[IPC_METHODS[channel]] = (...args: unknown[]) => transport.invoke(channel, args);
  }
  for (const event of EVENTS) {
    api[EVENT_METHODS[event]] = (listener: unknown) => {
      if (typeof listener !== 'function') {
        throw new TypeError(
          `${EVENT_METHODS[event]} needs a function to call with each ${event} event.`,
        );
      }
      // Only the payload is passed on: never the transport's own event object.
      return transport.listen(event, (payload) =>
        (listener as (payload: unknown) => void)(payload),
      );
    };
  }
  return api as ExposedApi;
}
