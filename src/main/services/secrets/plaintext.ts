// Secrets kept unencrypted, for tests and the headless end-to-end server only, where there is no
// Electron and so no safeStorage. It refuses to exist unless MEDAIUS_INSECURE_TEST_SECRETS=1 is
// set, so a build or configuration mistake cannot quietly store a real token in the clear.
import type { SecretStorageStatus } from '../../../shared/ipc/session.js';
import { SecretFile } from './secret-file.js';
import type { SecretStore } from './secret-store.js';

export const INSECURE_TEST_SECRETS_SWITCH = 'MEDAIUS_INSECURE_TEST_SECRETS';

export interface PlaintextSecretStoreOptions {
  /** where the switch is read from; process.env by default */
  env?: NodeJS.ProcessEnv;
  /** keep the secrets in this file so they survive a restart; in memory when omitted */
  file?: string;
}

export class PlaintextSecretStore implements SecretStore {
  private readonly file: SecretFile | undefined;
  private readonly memory = new Map<string, string>();

  constructor(options: PlaintextSecretStoreOptions = {}) {
    const env = options.env ?? process.env;
    if (env[INSECURE_TEST_SECRETS_SWITCH] !== '1') {
      throw new Error(
        `PlaintextSecretStore keeps secrets unencrypted and is for tests only; set ${INSECURE_TEST_SECRETS_SWITCH}=1 to use it.`,
      );
    }
    this.file = options.file === undefined ? undefined : new SecretFile(options.file);
  }

  status(): SecretStorageStatus {
    return {
      protection: 'plaintext',
      backend: null,
      warning: `Secrets are stored unencrypted: this is a test setup (${INSECURE_TEST_SECRETS_SWITCH}=1).`,
    };
  }

  async get(name: string): Promise<string | null> {
    if (!this.file) return this.memory.get(name) ?? null;
    return (await this.file.read())[name] ?? null;
  }

  async set(name: string, value: string): Promise<void> {
    if (!this.file) {
      this.memory.set(name, value);
      return;
    }
    await this.file.update((secrets) => {
      secrets[name] = value;
    });
  }

  async delete(name: string): Promise<void> {
    if (!this.file) {
      this.memory.delete(name);
      return;
    }
    await this.file.update((secrets) => {
      delete secrets[name];
    });
  }
}
