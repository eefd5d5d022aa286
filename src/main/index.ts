// Electron main process entry: app lifecycle, the one window, and wiring of the security
// baseline and IPC handlers. Real work lives in modules that take Electron as an argument.
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, net, protocol, session } from 'electron';
import {
  APP_SCHEME_PRIVILEGES,
  createAppProtocolHandler,
  devRendererLocation,
  productionRendererLocation,
  type RendererLocation,
} from './app-protocol.js';
import { resolveApiBaseUrl } from './config.js';
import { createHandlers } from './handlers.js';
import { bindIpcMain } from './ipc.js';
import {
  contentSecurityPolicy,
  createWindowOptions,
  installNavigationGuards,
  installSessionSecurity,
} from './security.js';

const preloadPath = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));
const rendererDir = fileURLToPath(new URL('../renderer/', import.meta.url));

let mainWindow: BrowserWindow | undefined;

async function createMainWindow(renderer: RendererLocation): Promise<void> {
  const window = new BrowserWindow(createWindowOptions(preloadPath));
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    mainWindow = undefined;
  });
  mainWindow = window;
  await window.loadURL(renderer.entryUrl);
}

function focusMainWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}

async function start(): Promise<void> {
  await app.whenReady();
  const apiBaseUrl = resolveApiBaseUrl(process.env);
  const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
  const renderer = devServerUrl ? devRendererLocation(devServerUrl) : productionRendererLocation();
  const csp = contentSecurityPolicy(renderer);

  installSessionSecurity(session.defaultSession, renderer, csp);
  protocol.handle(
    APP_SCHEME_PRIVILEGES.scheme,
    createAppProtocolHandler(rendererDir, csp, (url) => net.fetch(url)),
  );
  app.on('web-contents-created', (_event, contents) => installNavigationGuards(contents, renderer));
  bindIpcMain(ipcMain, createHandlers({ apiBaseUrl, fetch: globalThis.fetch }), renderer);

  app.on('activate', () => {
    if (!mainWindow) createMainWindow(renderer).catch(exitWithError);
  });
  await createMainWindow(renderer);
}

function exitWithError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  dialog.showErrorBox('Medaius Scan & Records could not start', message);
  app.exit(1);
}

// A second launch focuses the open window instead of starting another client on the same data.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  app.on('second-instance', focusMainWindow);
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  start().catch(exitWithError);
}
