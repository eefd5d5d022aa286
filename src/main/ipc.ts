// Main-process IPC handlers. Each one answers only frames showing the app's own renderer, so a
// page that somehow loaded elsewhere in the window cannot reach main. Electron's ipcMain is
// passed in, so the handlers run under plain Node in unit tests.
import { isRendererUrl, type RendererLocation } from './app-protocol.js';

// src/preload/index.ts names the same channel; the two must change together.
export const GET_API_BASE_URL_CHANNEL = 'app:get-api-base-url';

/** The parts of Electron's `IpcMainInvokeEvent` and `ipcMain` the handlers use. */
export interface InvokeEventLike {
  senderFrame: { url: string } | null;
}
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike) => unknown): void;
}

export function registerIpcHandlers(
  ipcMain: IpcMainLike,
  renderer: RendererLocation,
  apiBaseUrl: string,
): void {
  ipcMain.handle(GET_API_BASE_URL_CHANNEL, (event) => {
    assertFromRenderer(event, GET_API_BASE_URL_CHANNEL, renderer);
    return apiBaseUrl;
  });
}

function assertFromRenderer(
  event: InvokeEventLike,
  channel: string,
  renderer: RendererLocation,
): void {
  const url = event.senderFrame?.url;
  if (!isRendererUrl(url, renderer)) {
    throw new Error(
      `Refused ${channel}: the request came from ${url ?? 'a closed frame'}, not the app.`,
    );
  }
}
