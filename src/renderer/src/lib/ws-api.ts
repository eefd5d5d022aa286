// `window.api` over the local WebSocket that src/main/transport/websocket.ts serves, for running
// the renderer in a plain browser against main's real services in end-to-end tests. Same functions
// as the preload's (both come from createExposedApi); calls that fail reject with a RemoteError.
import { createExposedApi } from '../../../shared/ipc/expose.js';
import type { ExposedApi } from '../../../shared/ipc/contract.js';
import type { EventName } from '../../../shared/ipc/channels.js';
import { RemoteError, type RemoteErrorShape } from '../../../shared/ipc/wire.js';

/** The parts of a WebSocket this client uses: the browser's, or `ws` in Node tests. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}
export type SocketConstructor = new (url: string) => SocketLike;

export type WebSocketApi = ExposedApi & { close(): void };

const OPEN = 1;

/**
 * Connects to `url` (with its `token` parameter) and resolves with the API once the socket is
 * open; rejects when the server refuses the connection.
 */
export function connectWebSocketApi(
  url: string,
  Socket: SocketConstructor = (globalThis as unknown as { WebSocket: SocketConstructor }).WebSocket,
): Promise<WebSocketApi> {
  const where = withoutToken(url);
  const socket = new Socket(url);
  const pending = new Map<number, { resolve(output: unknown): void; reject(error: Error): void }>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let nextId = 1;

  socket.addEventListener('message', ({ data }) => {
    const message = parse(data);
    if (!message) return;
    if (typeof message.event === 'string') {
      for (const listener of [...(listeners.get(message.event) ?? [])]) listener(message.payload);
      return;
    }
    const call = typeof message.id === 'number' ? pending.get(message.id) : undefined;
    if (!call) return;
    pending.delete(message.id as number);
    const error = message.error as RemoteErrorShape | undefined;
    if (error) call.reject(new RemoteError(error.message, error.code));
    else call.resolve(message.output);
  });

  socket.addEventListener('close', () => {
    for (const call of pending.values()) {
      call.reject(
        new RemoteError(
          `The connection to the desktop services at ${where} closed.`,
          'disconnected',
        ),
      );
    }
    pending.clear();
  });

  const api = createExposedApi({
    invoke: (channel, args) =>
      new Promise((resolve, reject) => {
        if (socket.readyState !== OPEN) {
          reject(
            new RemoteError(`Not connected to the desktop services at ${where}.`, 'disconnected'),
          );
          return;
        }
        const id = nextId++;
        pending.set(id, { resolve, reject });
        socket.send(
          JSON.stringify(args.length ? { id, channel, input: args[0] } : { id, channel }),
        );
      }),
    listen: (event: EventName, listener) => {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const entry = (payload: unknown) => listener(payload);
      set.add(entry);
      return () => {
        set.delete(entry);
      };
    },
  });

  // A WebSocket reports no detail with 'error' (browsers hide it on purpose), and 'close' always
  // follows it: the close handlers reject what is waiting. Listening keeps `ws` from throwing.
  socket.addEventListener('error', () => undefined);

  return new Promise((resolve, reject) => {
    let opened = false;
    socket.addEventListener('open', () => {
      opened = true;
      resolve(Object.assign(api, { close: () => socket.close() }));
    });
    socket.addEventListener('close', () => {
      if (!opened) {
        reject(
          new RemoteError(
            `The desktop services at ${where} refused the connection.`,
            'disconnected',
          ),
        );
      }
    });
  });
}

function parse(data: unknown): Record<string, unknown> | undefined {
  if (typeof data !== 'string') return undefined;
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The URL as it may appear in messages: the token is a secret. */
function withoutToken(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.search = '';
    return parsed.href;
  } catch {
    return 'the given address';
  }
}
