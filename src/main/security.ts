// The desktop client's security baseline, kept as code: window options, the Content Security
// Policy, default-deny permissions, and the navigation and window.open guards.
// Electron is imported for types only, so this module runs under plain Node in unit tests.
import type { BrowserWindowConstructorOptions } from 'electron';
import { isRendererUrl, type RendererLocation } from './app-protocol.js';

export function createWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    title: 'Medaius Scan & Records',
    width: 1200,
    height: 800,
    minWidth: 720,
    minHeight: 480,
    // Shown on 'ready-to-show' so the user never sees an unpainted frame.
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    },
  };
}

/**
 * The renderer's CSP. Scripts and styles come only from the app itself, and the renderer opens no
 * network connections: it reaches the companion API only through main (window.api), so a script
 * injected into the page has nowhere to send data. In dev, Vite injects an inline React refresh
 * preamble and inline styles and talks to its server over a WebSocket, so those are allowed there.
 */
export function contentSecurityPolicy(renderer: RendererLocation): string {
  const inline = renderer.dev ? " 'unsafe-inline'" : '';
  const connect = renderer.dev ? renderer.origin.replace(/^http/, 'ws') : "'none'";
  return [
    "default-src 'none'",
    `script-src 'self'${inline}`,
    `style-src 'self'${inline}`,
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

type HeaderMap = Record<string, string[]>;

/** The parts of Electron's `Session` this module configures. */
export interface SessionLike {
  setPermissionRequestHandler(
    handler: (
      webContents: unknown,
      permission: string,
      callback: (granted: boolean) => void,
    ) => void,
  ): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
  webRequest: {
    onHeadersReceived(
      listener: (
        details: { url: string; responseHeaders?: HeaderMap },
        callback: (response: { responseHeaders?: HeaderMap }) => void,
      ) => void,
    ): void;
  };
}

/**
 * Denies every permission (camera, microphone, notifications, geolocation, …) until a feature
 * asks for one by name, and attaches the CSP to every response from the renderer's origin.
 */
export function installSessionSecurity(
  session: SessionLike,
  renderer: RendererLocation,
  csp: string,
): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    if (!isRendererUrl(details.url, renderer)) {
      callback({});
      return;
    }
    callback({
      responseHeaders: withHeader(details.responseHeaders ?? {}, 'Content-Security-Policy', csp),
    });
  });
}

/** Sets a header, replacing any spelling of the same name so a server cannot weaken the policy. */
function withHeader(headers: HeaderMap, name: string, value: string): HeaderMap {
  const lower = name.toLowerCase();
  const kept = Object.entries(headers).filter(([key]) => key.toLowerCase() !== lower);
  return { ...Object.fromEntries(kept), [name]: [value] };
}

/** The parts of Electron's `WebContents` the navigation guards use. */
export interface WebContentsLike {
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  on(
    event: 'will-navigate',
    listener: (event: { url: string; preventDefault(): void }) => void,
  ): unknown;
}

/**
 * No page may open new windows, and a page may navigate only within the renderer's own origin
 * (a reload during development), so a link or injected script cannot take the window elsewhere.
 */
export function installNavigationGuards(
  contents: WebContentsLike,
  renderer: RendererLocation,
): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event) => {
    if (!isRendererUrl(event.url, renderer)) event.preventDefault();
  });
}
