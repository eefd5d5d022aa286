// The desktop client's security baseline, kept as code: window options, the Content Security
// Policy, default-deny permissions, and the navigation and window.open guards.
// Electron is imported for types only, so this module runs under plain Node in unit tests.
import type { BrowserWindowConstructorOptions } from 'electron';
import {
  isRendererUrl,
  policyOf,
  type PolicySource,
  type RendererLocation,
} from './app-protocol.js';

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

/** Where the renderer may load documents from besides itself. */
export interface RemoteOrigins {
  /** The companion API's address (a setting): its signed URLs serve thumbnails, PDFs and video. */
  server?: string | undefined;
  /** Other storage origins that signed URLs may point at, such as an S3 endpoint. */
  storage?: readonly string[] | undefined;
}

/**
 * The renderer's CSP. Scripts and styles come only from the app itself. The only network
 * origins are the companion API (and any storage it signs URLs for): the viewer loads images,
 * video, PDFs and DICOM files from their signed URLs (PDF and DICOM bytes by fetch). pdf.js runs
 * its worker from the app's own files; thumbnails and decoded frames may be data: or blob: URLs.
 * In dev, Vite injects an inline React refresh preamble and inline styles and talks to its server
 * over a WebSocket, so those are allowed there.
 */
export function contentSecurityPolicy(
  renderer: RendererLocation,
  remote: RemoteOrigins = {},
): string {
  const inline = renderer.dev ? " 'unsafe-inline'" : '';
  const remotes = remoteSources(remote);
  const connect = [...(renderer.dev ? [renderer.origin.replace(/^http/, 'ws')] : []), ...remotes];
  return [
    "default-src 'none'",
    `script-src 'self'${inline}`,
    `style-src 'self'${inline}`,
    `img-src ${["'self'", 'data:', 'blob:', ...remotes].join(' ')}`,
    `media-src ${["'self'", 'blob:', ...remotes].join(' ')}`,
    `connect-src ${connect.length > 0 ? connect.join(' ') : "'none'"}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The http(s) origins of the configured addresses, each at most once. Anything else (another
 * scheme, a value that does not parse) is left out rather than written into the policy, so a
 * setting cannot add a wildcard or a directive of its own.
 */
function remoteSources(remote: RemoteOrigins): string[] {
  const origins = [remote.server, ...(remote.storage ?? [])].flatMap((url) => {
    if (url === undefined) return [];
    try {
      const parsed = new URL(url);
      return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? [parsed.origin] : [];
    } catch {
      return [];
    }
  });
  return [...new Set(origins)];
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
 * asks for one by name, and attaches the CSP, as it stands at that moment, to every response from
 * the renderer's origin.
 */
export function installSessionSecurity(
  session: SessionLike,
  renderer: RendererLocation,
  csp: PolicySource,
): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    if (!isRendererUrl(details.url, renderer)) {
      callback({});
      return;
    }
    callback({
      responseHeaders: withHeader(
        details.responseHeaders ?? {},
        'Content-Security-Policy',
        policyOf(csp),
      ),
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
