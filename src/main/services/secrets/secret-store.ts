// Secrets main keeps for the user, such as the API access token: named strings, kept so that the
// renderer never sees them and, in the app, encrypted by the operating system (./safe-storage.ts).
import type { SecretStorageStatus } from '../../../shared/ipc/session.js';

export interface SecretStore {
  /** The secret, or null when none is saved. Throws a SecretStoreError when it cannot be read. */
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
  /** How secrets are protected here, and what the user should know about it. */
  status(): SecretStorageStatus;
}

/** A secret could not be read or saved; the message says which and why. */
export class SecretStoreError extends Error {
  override name = 'SecretStoreError';
  readonly code = 'secret_storage_failed';
}
