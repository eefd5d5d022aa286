// The API the preload exposes to the renderer as `window.api`: named functions only, never
// ipcRenderer itself. src/preload/index.ts implements it.

export interface MedaiusApi {
  /** Base URL of the companion metadata API, without a trailing slash. */
  getApiBaseUrl(): Promise<string>;
}

declare global {
  interface Window {
    api: MedaiusApi;
  }
}
