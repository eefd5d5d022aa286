// The API the preload exposes to the renderer as `window.api`: one named function per channel of
// src/shared/ipc/contract.ts, typed from its schemas, and `pathForFile`, which only the desktop
// app has. src/preload/index.ts implements it.
import type { ExposedApi } from '../shared/ipc/contract.js';

export type MedaiusApi = ExposedApi & {
  /**
   * The path of a file the user dropped or picked, for `ingestPaths`; '' for a file that is not
   * on disk. Absent in a plain browser (the WebSocket transport), where the renderer sends the
   * bytes with `ingestFiles` instead.
   */
  pathForFile?: (file: File) => string;
};

declare global {
  interface Window {
    api: MedaiusApi;
  }
}
