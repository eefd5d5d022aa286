// Secrets encrypted by the operating system through Electron's safeStorage (Keychain on macOS,
// DPAPI on Windows, the Secret Service or KWallet on Linux), the encrypted bytes kept in one file
// in userData. On Linux without a keyring Electron falls back to `basic_text`, a key any program
// of the user can read: that still works, but the user is warned. safeStorage is passed in, so
// this runs under plain Node in tests with a thin stand-in for Electron's API.
import type { SecretStorageStatus } from '../../../shared/ipc/session.js';
import { SecretFile } from './secret-file.js';
import { SecretStoreError, type SecretStore } from './secret-store.js';

/** The parts of Electron's `safeStorage` this store uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: which password store Electron chose; `unknown` before the app is ready. */
  getSelectedStorageBackend(): string;
}

export interface SafeStorageSecretStoreOptions {
  safeStorage: SafeStorageLike;
  /** where the encrypted secrets are kept, e.g. `<userData>/secrets.json` */
  file: string;
  platform?: NodeJS.Platform;
}

export const BASIC_TEXT_WARNING =
  'No system keyring (such as GNOME Keyring or KWallet) is available, so your saved sign-in is ' +
  'encrypted with a key that any program running as you can read. Install and unlock a keyring, ' +
  'then restart the app and sign in again to protect it.';

export const MEMORY_ONLY_WARNING =
  'This computer offers the app no way to encrypt saved secrets, so your sign-in is kept only ' +
  'until the app quits, and you will sign in again at the next start.';

export class SafeStorageSecretStore implements SecretStore {
  private readonly safeStorage: SafeStorageLike;
  private readonly file: SecretFile;
  private readonly currentStatus: SecretStorageStatus;
  /** Used instead of the file when nothing can be encrypted. */
  private readonly memory: Map<string, string> | undefined;

  /** Create after Electron's `ready`: before it, Linux cannot say which keyring it uses. */
  constructor(options: SafeStorageSecretStoreOptions) {
    this.safeStorage = options.safeStorage;
    this.file = new SecretFile(options.file);
    this.currentStatus = statusOf(options.safeStorage, options.platform ?? process.platform);
    this.memory = this.currentStatus.protection === 'memory-only' ? new Map() : undefined;
  }

  status(): SecretStorageStatus {
    return { ...this.currentStatus };
  }

  async get(name: string): Promise<string | null> {
    if (this.memory) return this.memory.get(name) ?? null;
    const encoded = (await this.file.read())[name];
    if (encoded === undefined) return null;
    try {
      return this.safeStorage.decryptString(Buffer.from(encoded, 'base64'));
    } catch (error) {
      throw new SecretStoreError(
        `The saved ${name} could not be decrypted (${(error as Error).message}); the system keyring may have changed since it was saved.`,
      );
    }
  }

  async set(name: string, value: string): Promise<void> {
    if (this.memory) {
      this.memory.set(name, value);
      return;
    }
    const encoded = this.safeStorage.encryptString(value).toString('base64');
    await this.file.update((secrets) => {
      secrets[name] = encoded;
    });
  }

  async delete(name: string): Promise<void> {
    if (this.memory) {
      this.memory.delete(name);
      return;
    }
    await this.file.update((secrets) => {
      delete secrets[name];
    });
  }
}

function statusOf(safeStorage: SafeStorageLike, platform: NodeJS.Platform): SecretStorageStatus {
  const backend = platform === 'linux' ? safeStorage.getSelectedStorageBackend() : null;
  if (backend === 'unknown') {
    throw new Error(
      'The secret store was created before Electron was ready, so the system keyring is not known yet.',
    );
  }
  if (!safeStorage.isEncryptionAvailable()) {
    return { protection: 'memory-only', backend, warning: MEMORY_ONLY_WARNING };
  }
  if (backend === 'basic_text') {
    return { protection: 'basic-text', backend, warning: BASIC_TEXT_WARNING };
  }
  return { protection: 'os-keyring', backend, warning: null };
}
