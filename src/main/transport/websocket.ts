// Serves the IPC contract over a local WebSocket, so a plain browser can drive the real renderer
// against main's real services in end-to-end tests. The same handler map and `invokeChannel` as
// Electron IPC validate every input and output; events go out as {event, payload}.
//
// Only loopback addresses, and only clients that present this run's random token (in the URL's
// `token` parameter): any page in a local browser can open a WebSocket to 127.0.0.1, but none
// can read the token, so none can sign in or change settings through it.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { WsEvent, WsRequest, WsResponse } from '../../shared/ipc/wire.js';
import {
  invokeChannel,
  remoteErrorOf,
  type EventHub,
  type EventMessage,
  type IpcHandlers,
} from '../ipc.js';

import { MAX_INGEST_BYTES_PER_CALL } from '../../shared/ipc/ingest.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);
// The largest call is ingestFiles from a browser with no file paths: its file bytes travel as
// base64 (4/3 larger) inside one message, plus the JSON around them.
const MAX_PAYLOAD_BYTES = Math.ceil((MAX_INGEST_BYTES_PER_CALL * 4) / 3) + 1024 * 1024;

export interface WebSocketTransportOptions {
  handlers: IpcHandlers;
  events: EventHub;
  /** a loopback address; 127.0.0.1 by default */
  host?: string;
  /** 0 (the default) picks a free port */
  port?: number;
  /** the secret clients must present; a new random one for each run by default */
  token?: string;
}

export interface WebSocketTransport {
  /** the URL a client connects to, token included */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export async function serveWebSocket(
  options: WebSocketTransportOptions,
): Promise<WebSocketTransport> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new Error(
      `The WebSocket transport listens on this computer only (127.0.0.1, ::1 or localhost), not on ${host}.`,
    );
  }
  const token = options.token ?? randomBytes(32).toString('base64url');
  if (token.length < 16)
    throw new Error('The WebSocket token must be at least 16 characters long.');

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES });
  const server = createServer((_request, response) => {
    response.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' });
    response.end('This address serves the Medaius desktop services over WebSocket only.\n');
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!presentsToken(request, token)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (client) => serveClient(client, options));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `ws://${urlHost}:${port}/?token=${encodeURIComponent(token)}`,
    port,
    token,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

function presentsToken(request: IncomingMessage, token: string): boolean {
  const presented = new URL(request.url ?? '/', 'ws://localhost').searchParams.get('token');
  if (presented === null) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function serveClient(client: WebSocket, { handlers, events }: WebSocketTransportOptions): void {
  const send = (message: WsResponse | WsEvent) => {
    if (client.readyState === WebSocket.OPEN) client.send(JSON.stringify(message));
  };
  const sendEvent = ({ event, payload }: EventMessage) => send({ event, payload });
  const unsubscribe = events.subscribe(sendEvent);
  client.on('close', unsubscribe);
  // Events carry whole state: a new client starts from the latest of each.
  events.latest().forEach(sendEvent);

  client.on('message', (data: RawData, isBinary: boolean) => {
    const request = isBinary ? undefined : parseRequest(data.toString());
    if (!request) {
      send({
        id: null,
        error: {
          code: 'bad_message',
          message: 'Send JSON text messages of the form {"id", "channel", "input"}.',
        },
      });
      return;
    }
    const args = request.input === undefined ? [] : [request.input];
    invokeChannel(handlers, request.channel, args).then(
      (output) => send({ id: request.id, output }),
      (error: unknown) => send({ id: request.id, error: remoteErrorOf(error) }),
    );
  });
}

function parseRequest(text: string): WsRequest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { id, channel } = value as Partial<WsRequest>;
  const validId = (typeof id === 'number' && Number.isFinite(id)) || typeof id === 'string';
  if (!validId || typeof channel !== 'string') return undefined;
  return value as WsRequest;
}
