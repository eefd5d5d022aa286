// Main's real services for tests: settings in a real `conf` store and secrets in a real file, in a
// fresh temporary folder; a stand-in for Electron's safeStorage, the one part that cannot run
// here; and a closed port, for a server that is not there.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import { composeMain, type MainServices } from '../../../src/main/compose.js';
import type { EventMessage, EventHub } from '../../../src/main/ipc.js';
import { PlaintextSecretStore } from '../../../src/main/services/secrets/plaintext.js';
import type { SafeStorageLike } from '../../../src/main/services/secrets/safe-storage.js';
import type { SecretStore } from '../../../src/main/services/secrets/secret-store.js';
import { stopAll } from '../../../src/main/shutdown.js';

export const TEST_SECRETS_ENV = { MEDAIUS_INSECURE_TEST_SECRETS: '1' };

export function temporaryDir(prefix = 'medaius-main-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function confStore(dir: string): Conf<Record<string, unknown>> {
  return new Conf<Record<string, unknown>>({ cwd: dir, configName: 'settings' });
}

export interface TestMain extends MainServices {
  dataDir: string;
  /** everything published on the event hub, in order */
  published: EventMessage[];
  stop(): Promise<void>;
}

/** Main's services on `dataDir` (settings and secrets survive a stop and a new createTestMain). */
export function createTestMain(options: {
  dataDir: string;
  serverUrl: string;
  secrets?: SecretStore;
  offlineRetryMs?: number;
  heartbeatMs?: number;
}): TestMain {
  const services = composeMain({
    settingsStore: confStore(options.dataDir),
    secrets:
      options.secrets ??
      new PlaintextSecretStore({
        env: TEST_SECRETS_ENV,
        file: path.join(options.dataDir, 'secrets.json'),
      }),
    fetch: globalThis.fetch,
    defaults: { serverUrl: options.serverUrl },
    offlineRetryMs: options.offlineRetryMs,
    heartbeatMs: options.heartbeatMs,
  });
  const published = record(services.events);
  return {
    ...services,
    dataDir: options.dataDir,
    published,
    stop: async () => {
      await stopAll(services.stoppables);
    },
  };
}

export function record(events: EventHub): EventMessage[] {
  const published: EventMessage[] = [];
  events.subscribe((message) => published.push(message));
  return published;
}

/** Resolves once `check` passes, polling; fails with the last assertion error after `ms`. */
export async function eventually(check: () => void, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** A URL where nothing listens: a port that was just free and has been closed again. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/** Electron's safeStorage as far as the store uses it: AES-GCM under a key only it holds. */
export function fakeSafeStorage(
  options: { backend?: string; available?: boolean; key?: Buffer } = {},
): SafeStorageLike {
  const key = options.key ?? randomBytes(32);
  return {
    isEncryptionAvailable: () => options.available ?? true,
    getSelectedStorageBackend: () => options.backend ?? 'gnome_libsecret',
    encryptString: (plainText) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decryptString: (encrypted) => {
      const decipher = createDecipheriv('aes-256-gcm', key, encrypted.subarray(0, 12));
      decipher.setAuthTag(encrypted.subarray(12, 28));
      return Buffer.concat([decipher.update(encrypted.subarray(28)), decipher.final()]).toString();
    },
  };
}
