// The IPC contract as main serves it: window.api calls from the app's own frame reach the
// services, anything else is refused with a reason. Electron's ipcMain, ipcRenderer and
// contextBridge are the parts replaced, by thin fakes; the API behind them is a real HTTP server.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { devRendererLocation, productionRendererLocation } from '../../../src/main/app-protocol.js';
import { createHandlers } from '../../../src/main/handlers.js';
import {
  bindIpcMain,
  invokeChannel,
  type InvokeEventLike,
  type IpcHandlers,
} from '../../../src/main/ipc.js';
import { API_HEALTH, type ExposedApi } from '../../../src/shared/ipc/contract.js';

type Listener = (event: InvokeEventLike, ...args: unknown[]) => unknown;

// The preload under test imports 'electron'; these fakes record what it exposes and route its
// invoke calls to whatever main registered, from a frame whose URL each test chooses.
const electron = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  listeners: new Map<string, Listener>(),
  frameUrl: 'app://medaius/index.html',
}));
vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, value: unknown) => electron.exposed.set(key, value),
  },
  ipcRenderer: {
    invoke: async (channel: string, ...args: unknown[]) => {
      const listener = electron.listeners.get(channel);
      if (!listener) throw new Error(`No handler registered for '${channel}'`);
      return listener({ senderFrame: { url: electron.frameUrl } }, ...args);
    },
  },
}));

const ipcMain = {
  handle: (channel: string, listener: Listener) => electron.listeners.set(channel, listener),
};

let api: ExposedApi;
let server: Server;
let apiBaseUrl: string;
let healthRequests = 0;

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
  electron.listeners.clear();
  electron.frameUrl = 'app://medaius/index.html';
  healthRequests = 0;
  bindIpcMain(ipcMain, createHandlers({ apiBaseUrl, fetch }), productionRendererLocation());
});

describe('window.api', () => {
  it('exposes one named function per channel and nothing of ipcRenderer', () => {
    expect(Object.keys(api)).toEqual(['health']);
    expect(typeof api.health).toBe('function');
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
    expect(healthRequests).toBe(0);
  });

  it('refuses input a channel does not take', async () => {
    const health = api.health as (...args: unknown[]) => Promise<unknown>;
    await expect(health({ baseUrl: 'https://evil.example' })).rejects.toThrow(
      /^Invalid input for api:health: /,
    );
    await expect(health(undefined, 'extra')).rejects.toThrow(
      'Invalid input for api:health: expected at most one argument, got 2.',
    );
    expect(healthRequests).toBe(0);
  });
});

describe('IPC binding', () => {
  const listen = (renderer = productionRendererLocation()) => {
    const listeners = new Map<string, Listener>();
    bindIpcMain(
      { handle: (channel, listener) => listeners.set(channel, listener) },
      createHandlers({ apiBaseUrl, fetch }),
      renderer,
    );
    return (event: InvokeEventLike, ...args: unknown[]) =>
      listeners.get(API_HEALTH)?.(event, ...args);
  };

  it('refuses a frame that has gone away', async () => {
    await expect(listen()({ senderFrame: null })).rejects.toThrow(
      'Refused api:health: the request came from a closed frame, not the app.',
    );
  });

  it('in dev, answers the dev server’s origin only', async () => {
    const health = listen(devRendererLocation('http://localhost:5173/'));
    await expect(health({ senderFrame: { url: 'http://localhost:5173/' } })).resolves.toMatchObject(
      {
        state: 'connected',
      },
    );
    await expect(health({ senderFrame: { url: 'app://medaius/index.html' } })).rejects.toThrow(
      /Refused api:health/,
    );
  });
});

describe('invokeChannel', () => {
  it('refuses a channel the contract does not name', async () => {
    const handlers = createHandlers({ apiBaseUrl, fetch });
    await expect(invokeChannel(handlers, 'fs:read', ['/etc/passwd'])).rejects.toThrow(
      'Unknown IPC channel "fs:read".',
    );
    await expect(invokeChannel(handlers, 'toString', [])).rejects.toThrow(/Unknown IPC channel/);
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
