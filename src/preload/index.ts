// Preload for the sandboxed renderer: exposes `window.api` (typed in ./api.d.ts) through the
// context bridge. Bundled into one CommonJS file because sandboxed preloads cannot load ESM.
import { contextBridge, ipcRenderer } from 'electron';
import type { MedaiusApi } from './api.js';

// src/main/ipc.ts answers this channel; the two must change together.
const GET_API_BASE_URL_CHANNEL = 'app:get-api-base-url';

const api: MedaiusApi = {
  getApiBaseUrl: () => ipcRenderer.invoke(GET_API_BASE_URL_CHANNEL) as Promise<string>,
};

contextBridge.exposeInMainWorld('api', api);
