// The headless desktop services over the local WebSocket, as end-to-end tests use them: the
// browser-side client (src/renderer/src/lib/ws-api.ts, here over `ws`) drives the real services
// against the real companion API. Only clients with this run's token get in; inputs are checked
// with the same contract as Electron IPC.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startHeadless, type HeadlessMain } from '../../../src/main/headless.js';
import {
  connectWebSocketApi,
  type SocketConstructor,
  type WebSocketApi,
} from '../../../src/renderer/src/lib/ws-api.js';
import type { SessionState, Settings } from '../../../src/shared/ipc/contract.js';
import { RemoteError } from '../../../src/shared/ipc/wire.js';
import { createWorld, PASSWORD, type World } from '../../support/world.js';
import { eventually, temporaryDir, TEST_SECRETS_ENV } from '../../unit/main/fixtures.js';

const Socket = WebSocket as unknown as SocketConstructor;

let world: World;
beforeAll(async () => {
  world = await createWorld('sqlite', { listen: true });
});
afterAll(() => world?.close());

let folder: ReturnType<typeof temporaryDir>;
let headless: HeadlessMain;
const clients: WebSocketApi[] = [];

beforeEach(async () => {
  folder = temporaryDir('medaius-headless-');
  headless = await startHeadless({
    env: { ...TEST_SECRETS_ENV, MEDAIUS_API_URL: world.url(), MEDAIUS_DATA_DIR: folder.dir },
  });
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await headless.close();
  folder.remove();
});

async function connect(url = headless.url): Promise<WebSocketApi> {
  const api = await connectWebSocketApi(url, Socket);
  clients.push(api);
  return api;
}

/** A raw client that records every message the server sends. */
async function rawClient(url = headless.url): Promise<{ socket: WebSocket; received: unknown[] }> {
  const socket = new WebSocket(url);
  const received: unknown[] = [];
  socket.on('message', (data) => received.push(JSON.parse(data.toString())));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return { socket, received };
}

describe('WebSocket transport', () => {
  it('answers calls and pushes events to a client with the token', async () => {
    const api = await connect();
    expect(await api.getSession()).toEqual({
      signedIn: false,
      serverUrl: world.url(),
      reason: 'not-signed-in',
      message: null,
    });

    const settingsHeard: Settings[] = [];
    const sessionsHeard: SessionState[] = [];
    api.onSettingsChanged((settings) => settingsHeard.push(settings));
    api.onSessionChanged((session) => sessionsHeard.push(session));

    const updated = await api.updateSettings({
      uploadConcurrency: 8,
      hotFolders: [{ path: '/srv/scans' }],
    });
    expect(updated).toMatchObject({
      uploadConcurrency: 8,
      hotFolders: [{ path: '/srv/scans', processedSubfolder: 'processed' }],
    });
    await eventually(() => expect(settingsHeard).toEqual([updated]));
    expect(headless.services.settings.get().uploadConcurrency).toBe(8);

    const result = await api.signIn({ email: world.a.users.admin.email, password: PASSWORD });
    expect(result).toMatchObject({
      ok: true,
      session: { signedIn: true, user: { role: 'admin' } },
    });
    await eventually(() => expect(sessionsHeard.at(-1)).toMatchObject({ signedIn: true }));
  });

  it('never sends the token to a client', async () => {
    const { socket, received } = await rawClient();
    socket.send(
      JSON.stringify({
        id: 1,
        channel: 'session:sign-in',
        input: { email: world.a.users.clinician.email, password: PASSWORD },
      }),
    );
    await eventually(() => expect(received).toContainEqual(expect.objectContaining({ id: 1 })));
    socket.send(JSON.stringify({ id: 2, channel: 'session:get' }));
    await eventually(() => expect(received).toContainEqual(expect.objectContaining({ id: 2 })));
    const token = headless.services.session.accessToken();
    expect(token).toMatch(/^mdr_/);
    expect(JSON.stringify(received)).not.toContain(token);
    socket.close();
  });

  it('brings a new client up to date with the latest state of each event', async () => {
    const { socket, received } = await rawClient();
    await eventually(() =>
      expect(received).toEqual([
        { event: 'settings:changed', payload: expect.objectContaining({ serverUrl: world.url() }) },
        { event: 'session:changed', payload: expect.objectContaining({ signedIn: false }) },
        {
          event: 'secrets:backend-warning',
          payload: expect.objectContaining({ protection: 'plaintext' }),
        },
        {
          event: 'uploads:changed',
          payload: { type: 'summary', summary: expect.objectContaining({ pending: 0 }) },
        },
        { event: 'ingest:changed', payload: { items: [] } },
      ]),
    );
    socket.close();
  });

  it('lets the renderer see and steer the upload queue', async () => {
    const api = await connect();
    const state = await api.listUploads();
    expect(state).toEqual({
      items: [],
      summary: expect.objectContaining({ pending: 0, online: expect.any(Boolean) }),
    });
    expect(await api.pauseUploads({})).toEqual(state);
    expect(await api.resumeUploads({})).toEqual(state);
    const refused = await api.cancelUploads({ id: 42 } as never).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Error);
  });

  it('refuses a client without the right token before any call', async () => {
    const wrong = headless.url.replace(/token=[^&]+/, 'token=' + 'x'.repeat(43));
    await expect(connectWebSocketApi(wrong, Socket)).rejects.toThrow(
      /^The desktop services at ws:\/\/127\.0\.0\.1:\d+\/ refused the connection\.$/,
    );
    const status = (url: string) =>
      new Promise<number | undefined>((resolve) => {
        const socket = new WebSocket(url);
        socket.on('unexpected-response', (_request, response) => resolve(response.statusCode));
        socket.on('open', () => resolve(undefined));
        socket.on('error', () => undefined);
      });
    expect(await status(wrong)).toBe(401);
    expect(await status(headless.url.split('?')[0]!)).toBe(401);
  });

  it('rejects invalid input with the contract’s message and code', async () => {
    const api = await connect();
    const error = await api.updateSettings({ uploadConcurrency: 99 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({
      code: 'invalid_input',
      message:
        'Invalid input for settings:update: uploadConcurrency: Upload at most 16 files at once.',
    });
    expect(headless.services.settings.get().uploadConcurrency).toBe(4);
  });

  it('answers malformed messages and unknown channels with an error, and stays open', async () => {
    const { socket, received } = await rawClient();
    socket.send('not json');
    socket.send(JSON.stringify({ id: 7, channel: 'fs:read', input: '/etc/passwd' }));
    socket.send(JSON.stringify({ id: 8, channel: 'session:get', input: null }));
    await eventually(() =>
      expect(received.filter((m) => 'error' in (m as object))).toEqual([
        {
          id: null,
          error: {
            code: 'bad_message',
            message: 'Send JSON text messages of the form {"id", "channel", "input"}.',
          },
        },
        { id: 7, error: { code: 'unknown_channel', message: 'Unknown IPC channel "fs:read".' } },
        {
          id: 8,
          error: {
            code: 'invalid_input',
            message: expect.stringMatching(/^Invalid input for session:get: /),
          },
        },
      ]),
    );
    expect(socket.readyState).toBe(WebSocket.OPEN);
    socket.close();
  });

  it('restores the sign-in when the headless services start again on the same data', async () => {
    const api = await connect();
    await api.signIn({ email: world.a.users.clinician.email, password: PASSWORD });
    await headless.close();
    headless = await startHeadless({
      env: { ...TEST_SECRETS_ENV, MEDAIUS_API_URL: world.url(), MEDAIUS_DATA_DIR: folder.dir },
    });
    const again = await connect();
    expect(await again.getSession()).toMatchObject({
      signedIn: true,
      offline: false,
      user: { email: world.a.users.clinician.email },
    });
  });
});

describe('headless entry', () => {
  it('refuses to start without the insecure-test-secrets switch', async () => {
    await expect(
      startHeadless({ env: { MEDAIUS_API_URL: world.url(), MEDAIUS_DATA_DIR: folder.dir } }),
    ).rejects.toThrow(/set MEDAIUS_INSECURE_TEST_SECRETS=1 to use it/);
  });

  it('runs as a process: prints where to connect, serves, and exits cleanly on SIGTERM', async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/main/headless.ts'],
      {
        env: {
          ...process.env,
          ...TEST_SECRETS_ENV,
          MEDAIUS_API_URL: world.url(),
          MEDAIUS_DATA_DIR: folder.dir,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`headless exited with ${code}`)));
      });
      const started = JSON.parse(line) as { event: string; url: string; serverUrl: string };
      expect(started).toMatchObject({ event: 'listening', serverUrl: world.url() });
      const api = await connect(started.url);
      expect(await api.getSession()).toMatchObject({ signedIn: false });
      api.close();
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
