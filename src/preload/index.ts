// Preload for the sandboxed renderer: exposes `window.api` (typed in ./api.d.ts) through the
// context bridge, one named function per channel of the IPC contract (src/shared/ipc/) and one
// `on*` subscription per event, never ipcRenderer itself; and `pathForFile`, since a sandboxed
// page no longer sees a dropped File's path (Electron removed File.path). Main validates every input, so the
// preload only forwards it and needs the channel names alone, not the schemas. Bundled into one
// CommonJS file because sandboxed preloads cannot load ESM.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import type { MedaiusApi } from './api.js';
import { createExposedApi } from '../shared/ipc/expose.js';
import { outputOf } from '../shared/ipc/wire.js';

const api = createExposedApi({
  invoke: async (channel, args) => outputOf(await ipcRenderer.invoke(channel, ...args)),
  listen: (event, listener) => {
    // The IpcRendererEvent carries `sender`, which is ipcRenderer: it must not reach the page.
    const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(event, forward);
    return () => {
      ipcRenderer.removeListener(event, forward);
    };
  },
});

const exposed: MedaiusApi = {
  ...api,
  pathForFile: (file) => webUtils.getPathForFile(file),
};

contextBridge.exposeInMainWorld('api', exposed);
