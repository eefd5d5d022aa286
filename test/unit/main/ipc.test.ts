// The IPC contract as main serves it: window.api calls from the app's own frame reach the
// services, anything else is refused with a reason, and main's events reach the page's on*
// listeners and nothing else. Electron's ipcMain, ipcRenderer, webContents and contextBridge are
// the parts replaced, by thin fakes; the services and the API behind them are real.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { devRendererLocation, productionRendererLocation } from '../../../src/main/app-protocol.js';
import {
  bindIpcEvents,
  bindIpcMain,
  EventHub,
  invokeChannel,
  sendLatestEvents,
  type EventTargetLike,
  type InvokeEventLike,
  type IpcHandlers,
} from '../../../src/main/ipc.js';
import type { MedaiusApi } from '../../../src/preload/api.js';
import {
  API_HEALTH,
  CHANNELS,
  EVENT_METHODS,
  EVENTS,
  INGEST_PROGRESS,
  IPC_METHODS,
  SECRETS_BACKEND_WARNING,
  SESSION_CHANGED,
  SETTINGS_CHANGED,
  UPLOADS_CHANGED,
  type ExposedApi,
  type SessionState,
} from '../../../src/shared/ipc/contract.js';
import { RemoteError } from '../../../src/shared/ipc/wire.js';
import { createTestMain, temporaryDir, type TestMain } from './fixtures.js';

type Listener = (event: InvokeEventLike, ...args: unknown[]) => unknown;
type RendererListener = (event: { sender: unknown }, payload: unknown) => void;

// The preload under test imports 'electron'; these fakes record what it exposes, route its
// invoke calls to whatever main registered from a frame whose URL each test chooses, and deliver
// what main sends to the window to the preload's listeners.
const electron = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  handlers: new Map<string, Listener>(),
  rendererListeners: new Map<string, Set<RendererListener>>(),
  frameUrl: 'app://medaius/index.html',
  pathsAsked: [] as unknown[],
}));
vi.mock('electron', () => {
  const ipcRenderer = {
    invoke: async (channel: string, ...args: unknown[]) => {
      const listener = electron.handlers.get(channel);
      if (!listener) throw new Error(`No handler registered for '${channel}'`);
      return listener({ senderFrame: { url: electron.frameUrl } }, ...args);
    },
    on: (channel: string, listener: RendererListener) => {
      const set = electron.rendererListeners.get(channel) ?? new Set();
      electron.rendererListeners.set(channel, set.add(listener));
    },
    removeListener: (channel: string, listener: RendererListener) => {
      electron.rendererListeners.get(channel)?.delete(listener);
    },
  };
  return {
    contextBridge: {
      exposeInMainWorld: (key: string, value: unknown) => electron.exposed.set(key, value),
    },
    ipcRenderer,
    webUtils: {
      getPathForFile: (file: unknown) => {
        electron.pathsAsked.push(file);
        return '/home/frontdesk/letter.pdf';
      },
    },
  };
});

/** The window's webContents: what main sends arrives at the preload's ipcRenderer listeners. */
const webContents: EventTargetLike & { sent: string[] } = {
  sent: [],
  isDestroyed: () => false,
  getURL: () => electron.frameUrl,
  send(channel, payload) {
    this.sent.push(channel);
    for (const listener of electron.rendererListeners.get(channel) ?? []) {
      listener({ sender: 'ipcRenderer itself' }, payload);
    }
  },
};

const ipcMain = {
  handle: (channel: string, listener: Listener) => electron.handlers.set(channel, listener),
};

let api: ExposedApi;
let server: Server;
let apiBaseUrl: string;
let healthRequests = 0;
let folder: ReturnType<typeof temporaryDir>;
let main: TestMain;
let stopEvents: () => void;

beforeAll(async () => {
  server = createServer((_request, response) => {
    healthRequests += 1;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ status: 'ok', version: '0.1.0', database: 'sqlite' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiBaseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await import('../../../src/preload/index.js');
  api = electron.exposed.get('api') as ExposedApi;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  electron.handlers.clear();
  electron.frameUrl = 'app://medaius/index.html';
  webContents.sent = [];
  healthRequests = 0;
  folder = temporaryDir('medaius-ipc-');
  main = createTestMain({ dataDir: folder.dir, serverUrl: apiBaseUrl });
  bindIpcMain(ipcMain, main.handlers, productionRendererLocation());
  stopEvents = bindIpcEvents(main.events, () => webContents, productionRendererLocation());
});

afterEach(async () => {
  stopEvents();
  await main.stop();
  folder.remove();
});

describe('window.api', () => {
  it('exposes one named function per channel and event, and nothing of ipcRenderer', () => {
    expect(Object.keys(api)).toEqual([
      ...CHANNELS.map((channel) => IPC_METHODS[channel]),
      ...EVENTS.map((event) => EVENT_METHODS[event]),
      'pathForFile',
    ]);
    expect(Object.keys(api)).toEqual(
      expect.arrayContaining([
        'health',
        'listUploads',
        'retryUploads',
        'listInbox',
        'ingestPaths',
        'ingestFiles',
        'scan',
        'fileItems',
        'onUploadsChanged',
        'onInboxChanged',
        'onScanPage',
        'onIngestProgress',
      ]),
    );
    for (const value of Object.values(api)) expect(typeof value).toBe('function');
  });

  it('gives a dropped file’s path through webUtils, the one way a sandboxed page can', () => {
    const file = { name: 'letter.pdf' } as File;
    expect((api as MedaiusApi).pathForFile!(file)).toBe('/home/frontdesk/letter.pdf');
    expect(electron.pathsAsked).toEqual([file]);
  });

  it('health() from the app’s own frame reports the API connected, checked by main', async () => {
    expect(await api.health()).toEqual({
      state: 'connected',
      baseUrl: apiBaseUrl,
      version: '0.1.0',
    });
    expect(healthRequests).toBe(1);
  });

  it('refuses a call from a foreign origin before it reaches the API', async () => {
    electron.frameUrl = 'https://evil.example/';
    await expect(api.health()).rejects.toThrow(
      'Refused api:health: the request came from https://evil.example/, not the app.',
    );
    electron.frameUrl = 'file:///tmp/page.html';
    await expect(api.health()).rejects.toThrow(/came from file:\/\/\/tmp\/page\.html/);
    await expect(api.updateSettings({ uploadConcurrency: 2 })).rejects.toThrow(
      /^Refused settings:update/,
    );
    expect(healthRequests).toBe(0);
    expect(main.settings.get().uploadConcurrency).toBe(4);
  });

  it('refuses input a channel does not take, with the contract’s message', async () => {
    const health = api.health as (...args: unknown[]) => Promise<unknown>;
    await expect(health({ baseUrl: 'https://evil.example' })).rejects.toThrow(
      /^Invalid input for api:health: /,
    );
    await expect(health(undefined, 'extra')).rejects.toThrow(
      'Invalid input for api:health: expected at most one argument, got 2.',
    );
    await expect(api.updateSettings({ uploadConcurrency: 99 })).rejects.toThrow(
      'Invalid input for settings:update: uploadConcurrency: Upload at most 16 files at once.',
    );
    const error = await api.signIn({ email: 'x' } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({ code: 'invalid_input' });
    expect(healthRequests).toBe(0);
  });

  it('reads and changes settings, and on*() hears the change until unsubscribed', async () => {
    const heard: unknown[] = [];
    const unsubscribe = api.onSettingsChanged((settings) => heard.push(settings));
    expect((await api.getSettings()).serverUrl).toBe(apiBaseUrl);
    const updated = await api.updateSettings({ uploadConcurrency: 6 });
    expect(updated.uploadConcurrency).toBe(6);
    expect(heard).toEqual([updated]);
    unsubscribe();
    await api.updateSettings({ uploadConcurrency: 7 });
    expect(heard).toHaveLength(1);
    expect(webContents.sent).toEqual([SETTINGS_CHANGED, SETTINGS_CHANGED]);
  });

  it('passes listeners the payload only, never the IPC event with its sender', async () => {
    const calls: unknown[][] = [];
    const unsubscribe = api.onSettingsChanged((...args: unknown[]) => calls.push(args));
    await api.updateSettings({ cacheSizeMb: 4096 });
    unsubscribe();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toHaveLength(1);
    expect(JSON.stringify(calls)).not.toContain('ipcRenderer');
  });

  it('refuses an on*() call without a function', () => {
    expect(() => (api.onSessionChanged as (listener: unknown) => unknown)('nope')).toThrow(
      'onSessionChanged needs a function to call with each session:changed event.',
    );
  });

  it('reports how secrets are kept', async () => {
    expect(await api.getSecretStatus()).toMatchObject({ protection: 'plaintext' });
  });
});

describe('events to the window', () => {
  it('are not sent while the window shows anything but the app', async () => {
    electron.frameUrl = 'https://evil.example/';
    main.settings.update({ uploadConcurrency: 3 });
    expect(webContents.sent).toEqual([]);
  });

  it('bring a freshly loaded page up to date with the latest of each', () => {
    main.settings.update({ uploadConcurrency: 5 });
    webContents.sent = [];
    const heard: number[] = [];
    const unsubscribe = api.onSettingsChanged((s) => heard.push(s.uploadConcurrency));
    sendLatestEvents(main.events, webContents, productionRendererLocation());
    unsubscribe();
    // The test secret store warns that it does not encrypt: the page hears that too.
    expect(webContents.sent).toEqual([SETTINGS_CHANGED, SESSION_CHANGED, SECRETS_BACKEND_WARNING]);
    expect(heard).toEqual([5]);
  });

  it('of a moment (scan pages, progress, one upload item) are not brought to a page that loads later', () => {
    const hub = new EventHub();
    const live: string[] = [];
    hub.subscribe(({ event }) => live.push(event));
    const summary = { pending: 0, online: true, signedIn: false };
    hub.publish(INGEST_PROGRESS, { jobId: 'job-1', done: 1, total: 3 });
    hub.publish(SETTINGS_CHANGED, main.settings.get());
    hub.publish(UPLOADS_CHANGED, { type: 'summary', summary });
    hub.publish(UPLOADS_CHANGED, { type: 'removed', id: 'upload-1' });
    expect(live).toEqual([INGEST_PROGRESS, SETTINGS_CHANGED, UPLOADS_CHANGED, UPLOADS_CHANGED]);
    // The queue's summary is whole state: the later 'removed' does not displace it.
    expect(hub.latest().map((m) => [m.event, (m.payload as { type?: string }).type])).toEqual([
      [SETTINGS_CHANGED, undefined],
      [UPLOADS_CHANGED, 'summary'],
    ]);
  });

  it('that break the contract, such as a session with a token in it, go nowhere', () => {
    const breaches: string[] = [];
    const hub = new EventHub((message) => breaches.push(message));
    const delivered: unknown[] = [];
    hub.subscribe((message) => delivered.push(message));
    const leaky = {
      signedIn: false,
      serverUrl: apiBaseUrl,
      reason: 'signed-out',
      message: null,
      token: 'mdr_secret',
    } as SessionState;
    hub.publish(SESSION_CHANGED, leaky);
    expect(delivered).toEqual([]);
    expect(breaches).toEqual([
      'The session:changed event broke the IPC contract and was not sent: Unrecognized key: "token".',
    ]);
  });
});

describe('IPC binding', () => {
  const listen = (renderer = productionRendererLocation()) => {
    const listeners = new Map<string, Listener>();
    bindIpcMain(
      { handle: (channel, listener) => listeners.set(channel, listener) },
      main.handlers,
      renderer,
    );
    return (event: InvokeEventLike, ...args: unknown[]) =>
      listeners.get(API_HEALTH)?.(event, ...args);
  };

  it('refuses a frame that has gone away', async () => {
    expect(await listen()({ senderFrame: null })).toEqual({
      ok: false,
      error: {
        code: 'refused',
        message: 'Refused api:health: the request came from a closed frame, not the app.',
      },
    });
  });

  it('in dev, answers the dev server’s origin only', async () => {
    const health = listen(devRendererLocation('http://localhost:5173/'));
    expect(await health({ senderFrame: { url: 'http://localhost:5173/' } })).toMatchObject({
      ok: true,
      output: { state: 'connected' },
    });
    expect(await health({ senderFrame: { url: 'app://medaius/index.html' } })).toMatchObject({
      ok: false,
      error: { code: 'refused', message: expect.stringMatching(/^Refused api:health/) },
    });
  });
});

describe('invokeChannel', () => {
  it('refuses a channel the contract does not name', async () => {
    await expect(invokeChannel(main.handlers, 'fs:read', ['/etc/passwd'])).rejects.toThrow(
      'Unknown IPC channel "fs:read".',
    );
    await expect(invokeChannel(main.handlers, 'toString', [])).rejects.toThrow(
      /Unknown IPC channel/,
    );
  });

  it('refuses a handler result that breaks the contract instead of passing it on', async () => {
    const broken = {
      [API_HEALTH]: async () => ({ state: 'connected', baseUrl: apiBaseUrl }),
    } as unknown as IpcHandlers;
    await expect(invokeChannel(broken, API_HEALTH, [])).rejects.toThrow(
      /^api:health produced a result that breaks the IPC contract: /,
    );
  });
});
