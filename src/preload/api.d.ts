// The API the preload exposes to the renderer as `window.api`: one named function per channel of
// src/shared/ipc/contract.ts, typed from its schemas. src/preload/index.ts implements it.
import type { ExposedApi } from '../shared/ipc/contract.js';

export type MedaiusApi = ExposedApi;

declare global {
  interface Window {
    api: MedaiusApi;
  }
}
