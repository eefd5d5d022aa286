// Electron main process entry: app lifecycle, the one window, and wiring of the security
// baseline, main's services and IPC. Real work lives in modules that take Electron as an argument.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, net, protocol, safeStorage, session } from 'electron';
import Store from 'electron-store';
import {
  APP_SCHEME_PRIVILEGES,
  createAppProtocolHandler,
  devRendererLocation,
  productionRendererLocation,
  type RendererLocation,
} from './app-protocol.js';
import { composeMain, type MainServices } from './compose.js';
import { settingsDefaultsFromEnv } from './config.js';
import { bindIpcEvents, bindIpcMain, sendLatestEvents } from './ipc.js';
import {
  contentSecurityPolicy,
  createWindowOptions,
  installNavigationGuards,
  installSessionSecurity,
} from './security.js';
import { SECRETS_FILE_NAME } from './services/secrets/secret-file.js';
import { SafeStorageSecretStore } from './services/secrets/safe-storage.js';
import { openSettingsStore, SETTINGS_FILE_NAME } from './services/settings/settings-service.js';
import { stopBeforeQuit } from './shutdown.js';
import { startWork } from './work.js';
import { setFileWorker } from '../shared-node/files/file-thread.js';

const preloadPath = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));
// Built beside this file by electron-vite (electron.vite.config.ts): PDFs and DICOM are
// checked and previewed there, not on the thread that answers the window.
setFileWorker(new URL('./file-worker.js', import.meta.url));
const rendererDir = fileURLToPath(new URL('../renderer/', import.meta.url));

let mainWindow: BrowserWindow | undefined;

async function createMainWindow(renderer: RendererLocation, services: MainServices): Promise<void> {
  const window = new BrowserWindow(createWindowOptions(preloadPath));
  window.once('ready-to-show', () => window.show());
  // After every (re)load the page starts from the latest session, settings and warnings.
  window.webContents.on('did-finish-load', () =>
    sendLatestEvents(services.events, window.webContents, renderer),
  );
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
  const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
  const renderer = devServerUrl ? devRendererLocation(devServerUrl) : productionRendererLocation();
  const services = composeMain({
    settingsStore: openSettingsStore(
      () => new Store<Record<string, unknown>>({ name: SETTINGS_FILE_NAME }),
      path.join(app.getPath('userData'), `${SETTINGS_FILE_NAME}.json`),
    ),
    // Created after `ready`: only then can Linux say which keyring safeStorage uses.
    secrets: new SafeStorageSecretStore({
      safeStorage,
      file: path.join(app.getPath('userData'), SECRETS_FILE_NAME),
    }),
    fetch: globalThis.fetch,
    defaults: settingsDefaultsFromEnv(process.env),
    exportDir: app.getPath('downloads'),
  });
  // The server address is a setting, so the policy is computed for each response: documents
  // load from whichever companion API the user signed in to.
  // Documents opened from the offline cache come from main's own loopback content server.
  const csp = () =>
    contentSecurityPolicy(renderer, {
      server: services.settings.get().serverUrl,
      storage: services.offline.current ? [services.offline.current.content.origin] : [],
    });

  installSessionSecurity(session.defaultSession, renderer, csp);
  protocol.handle(
    APP_SCHEME_PRIVILEGES.scheme,
    createAppProtocolHandler(rendererDir, csp, (url) => net.fetch(url)),
  );
  app.on('web-contents-created', (_event, contents) => installNavigationGuards(contents, renderer));

  bindIpcMain(ipcMain, services.handlers, renderer);
  bindIpcEvents(services.events, () => mainWindow?.webContents, renderer);
  stopBeforeQuit(app, services.stoppables);
  // Queued uploads carry on in the background; a failure to start them must not hide the window.
  startWork(services, app.getPath('userData')).catch((error: unknown) => {
    console.error('The upload queue could not start:', error);
  });
  // Not awaited: the window opens at once and shows the session when the server has answered.
  services.session.restore().catch((error: unknown) => {
    console.error('The saved sign-in could not be restored:', error);
  });

  app.on('activate', () => {
    if (!mainWindow) createMainWindow(renderer, services).catch(exitWithError);
  });
  await createMainWindow(renderer, services);
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
  // `npm start` ends Electron with SIGTERM: quit through the same path so queued work is flushed.
  process.once('SIGTERM', () => app.quit());
  process.once('SIGINT', () => app.quit());
  start().catch(exitWithError);
}
