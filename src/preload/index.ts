// Preload for the sandboxed renderer: exposes `window.api` (typed in ./api.d.ts) through the
// context bridge, one named function per channel of the IPC contract (src/shared/ipc/), never
// ipcRenderer itself. Main validates every input, so the preload only forwards it and needs the
// channel names alone, not the schemas. Bundled into one CommonJS file because sandboxed
// preloads cannot load ESM.
import { contextBridge, ipcRenderer } from 'electron';
import { CHANNELS, IPC_METHODS, type Channel } from '../shared/ipc/channels.js';
import type { ExposedApi } from '../shared/ipc/contract.js';

function invoker(channel: Channel) {
  return (...args: unknown[]): Promise<unknown> => ipcRenderer.invoke(channel, ...args);
}

const api = Object.fromEntries(
  CHANNELS.map((channel) => [IPC_METHODS[channel], invoker(channel)]),
) as ExposedApi;

contextBridge.exposeInMainWorld('api', api);
