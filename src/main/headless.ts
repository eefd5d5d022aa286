// Main's services without Electron, served over the local WebSocket: what end-to-end tests start
// to drive the real renderer in a browser against the real services and a real API. Settings are
// kept with `conf` (what electron-store is built on) and secrets unencrypted, which needs
// MEDAIUS_INSECURE_TEST_SECRETS=1. Run directly, it prints one JSON line with the URL to connect to:
//
//   MEDAIUS_INSECURE_TEST_SECRETS=1 MEDAIUS_API_URL=http://127.0.0.1:4000 \
//     MEDAIUS_DATA_DIR=/tmp/medaius-e2e npx tsx src/main/headless.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Conf from 'conf';
import { composeMain, type MainServices } from './compose.js';
import { resolveWebSocketPort, settingsDefaultsFromEnv } from './config.js';
import { PlaintextSecretStore } from './services/secrets/plaintext.js';
import { SECRETS_FILE_NAME } from './services/secrets/secret-file.js';
import { openSettingsStore, SETTINGS_FILE_NAME } from './services/settings/settings-service.js';
import { stopAll } from './shutdown.js';
import { serveWebSocket } from './transport/websocket.js';
import { offlineMaxAgeFromEnv, startWork } from './work.js';

export interface HeadlessMain {
  /** where a client connects, token included */
  url: string;
  token: string;
  dataDir: string;
  services: MainServices;
  close(): Promise<void>;
}

export interface HeadlessOptions {
  /** MEDAIUS_INSECURE_TEST_SECRETS, MEDAIUS_API_URL, MEDAIUS_DATA_DIR, MEDAIUS_WS_PORT, MEDAIUS_WS_TOKEN */
  env?: NodeJS.ProcessEnv;
  fetch?: typeof globalThis.fetch;
  offlineRetryMs?: number;
}

/**
 * Starts the services, restores a saved sign-in, and listens. Without MEDAIUS_DATA_DIR, settings
 * and secrets go to a new temporary folder that is removed on close.
 */
export async function startHeadless(options: HeadlessOptions = {}): Promise<HeadlessMain> {
  const env = options.env ?? process.env;
  const port = resolveWebSocketPort(env);
  const defaults = settingsDefaultsFromEnv(env);
  const ownDataDir = !env.MEDAIUS_DATA_DIR;
  const dataDir = env.MEDAIUS_DATA_DIR || mkdtempSync(path.join(tmpdir(), 'medaius-headless-'));
  const removeOwnDataDir = () => {
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const services = composeMain({
      settingsStore: openSettingsStore(
        () => new Conf<Record<string, unknown>>({ cwd: dataDir, configName: SETTINGS_FILE_NAME }),
        path.join(dataDir, `${SETTINGS_FILE_NAME}.json`),
      ),
      secrets: new PlaintextSecretStore({ env, file: path.join(dataDir, SECRETS_FILE_NAME) }),
      fetch: options.fetch ?? globalThis.fetch,
      defaults,
      offlineRetryMs: options.offlineRetryMs,
      exportDir: path.join(dataDir, 'exports'),
    });
    await services.session.restore();
    await startWork(services, dataDir, {
      fetch: options.fetch,
      offlineMaxAgeMs: offlineMaxAgeFromEnv(env),
    });
    const transport = await serveWebSocket({
      handlers: services.handlers,
      events: services.events,
      port,
      token: env.MEDAIUS_WS_TOKEN || undefined,
    });
    return {
      url: transport.url,
      token: transport.token,
      dataDir,
      services,
      close: async () => {
        // No new calls first, then the services, which may still finish work under way.
        await stopAll([
          { name: 'WebSocket transport', stop: transport.close },
          ...services.stoppables,
        ]);
        removeOwnDataDir();
      },
    };
  } catch (error) {
    removeOwnDataDir();
    throw error;
  }
}

async function main(): Promise<void> {
  const headless = await startHeadless();
  let closing: Promise<void> | undefined;
  const shutdown = () => {
    closing ??= headless.close().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  console.log(
    JSON.stringify({
      event: 'listening',
      url: headless.url,
      serverUrl: headless.services.settings.get().serverUrl,
      dataDir: headless.dataDir,
    }),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(
      'The headless desktop services could not start:',
      error instanceof Error ? error.message : error,
    );
    process.exit(1);
  });
}
