// Where the access token is kept. Electron's safeStorage is the one thing replaced, by a thin
// stand-in that encrypts with its own key as the OS keyring would; the file, its atomic writes and
// the warnings the user sees are the real ones.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlaintextSecretStore } from '../../../src/main/services/secrets/plaintext.js';
import {
  BASIC_TEXT_WARNING,
  MEMORY_ONLY_WARNING,
  SafeStorageSecretStore,
} from '../../../src/main/services/secrets/safe-storage.js';
import { SecretStoreError } from '../../../src/main/services/secrets/secret-store.js';
import { fakeSafeStorage, temporaryDir, TEST_SECRETS_ENV } from './fixtures.js';

const TOKEN = 'mdr_' + randomBytes(32).toString('base64url');

let folder: ReturnType<typeof temporaryDir>;
let file: string;
beforeEach(() => {
  folder = temporaryDir('medaius-secrets-');
  file = path.join(folder.dir, 'secrets.json');
});
afterEach(() => folder.remove());

describe('SafeStorageSecretStore', () => {
  it('keeps the token encrypted: the file never contains it, and it reads back', async () => {
    const safeStorage = fakeSafeStorage();
    const store = new SafeStorageSecretStore({ safeStorage, file, platform: 'linux' });
    await store.set('session', JSON.stringify({ token: TOKEN }));
    const saved = readFileSync(file, 'utf8');
    expect(saved).not.toContain(TOKEN);
    expect(saved).not.toContain(TOKEN.slice(4, 20));
    expect(Buffer.from(saved).includes(Buffer.from(TOKEN))).toBe(false);
    const reopened = new SafeStorageSecretStore({ safeStorage, file, platform: 'linux' });
    expect(JSON.parse((await reopened.get('session')) ?? '')).toEqual({ token: TOKEN });
  });

  it('writes the file for the user alone, atomically, leaving no temporary files', async () => {
    const store = new SafeStorageSecretStore({
      safeStorage: fakeSafeStorage(),
      file,
      platform: 'darwin',
    });
    await Promise.all([store.set('a', '1'), store.set('b', '2'), store.set('c', '3')]);
    await store.delete('b');
    expect(readdirSync(folder.dir)).toEqual(['secrets.json']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect([await store.get('a'), await store.get('b'), await store.get('c')]).toEqual([
      '1',
      null,
      '3',
    ]);
  });

  it('reports OS keyring protection, and no warning, where the keyring is used', () => {
    expect(
      new SafeStorageSecretStore({
        safeStorage: fakeSafeStorage(),
        file,
        platform: 'linux',
      }).status(),
    ).toEqual({ protection: 'os-keyring', backend: 'gnome_libsecret', warning: null });
    expect(
      new SafeStorageSecretStore({
        safeStorage: fakeSafeStorage(),
        file,
        platform: 'win32',
      }).status(),
    ).toEqual({ protection: 'os-keyring', backend: null, warning: null });
  });

  it('warns when Linux falls back to basic_text, and still saves the sign-in', async () => {
    const store = new SafeStorageSecretStore({
      safeStorage: fakeSafeStorage({ backend: 'basic_text' }),
      file,
      platform: 'linux',
    });
    expect(store.status()).toEqual({
      protection: 'basic-text',
      backend: 'basic_text',
      warning: BASIC_TEXT_WARNING,
    });
    expect(BASIC_TEXT_WARNING).toMatch(/any program running as you can read/);
    await store.set('session', TOKEN);
    expect(readFileSync(file, 'utf8')).not.toContain(TOKEN);
  });

  it('keeps secrets in memory only, and says so, when nothing can be encrypted', async () => {
    const store = new SafeStorageSecretStore({
      safeStorage: fakeSafeStorage({ available: false }),
      file,
      platform: 'linux',
    });
    expect(store.status()).toMatchObject({
      protection: 'memory-only',
      warning: MEMORY_ONLY_WARNING,
    });
    await store.set('session', TOKEN);
    expect(await store.get('session')).toBe(TOKEN);
    expect(readdirSync(folder.dir)).toEqual([]);
  });

  it('refuses to be created before Electron is ready on Linux', () => {
    expect(
      () =>
        new SafeStorageSecretStore({
          safeStorage: fakeSafeStorage({ backend: 'unknown' }),
          file,
          platform: 'linux',
        }),
    ).toThrow(/created before Electron was ready/);
  });

  it('says the keyring may have changed when a saved secret no longer decrypts', async () => {
    const before = new SafeStorageSecretStore({
      safeStorage: fakeSafeStorage(),
      file,
      platform: 'linux',
    });
    await before.set('session', TOKEN);
    const after = new SafeStorageSecretStore({
      safeStorage: fakeSafeStorage(),
      file,
      platform: 'linux',
    });
    await expect(after.get('session')).rejects.toThrow(SecretStoreError);
    await expect(after.get('session')).rejects.toThrow(/system keyring may have changed/);
  });

  it('says a damaged file is damaged and how to recover', async () => {
    writeFileSync(file, '{"version":1,"secrets":');
    const store = new SafeStorageSecretStore({
      safeStorage: fakeSafeStorage(),
      file,
      platform: 'linux',
    });
    await expect(store.get('session')).rejects.toThrow(
      `The saved secrets in ${file} are damaged. Delete the file and sign in again.`,
    );
  });
});

describe('PlaintextSecretStore', () => {
  it('refuses to exist without the explicit test switch', () => {
    expect(() => new PlaintextSecretStore({ env: {} })).toThrow(
      'PlaintextSecretStore keeps secrets unencrypted and is for tests only; set MEDAIUS_INSECURE_TEST_SECRETS=1 to use it.',
    );
    expect(
      () => new PlaintextSecretStore({ env: { MEDAIUS_INSECURE_TEST_SECRETS: 'true' } }),
    ).toThrow(/for tests only/);
  });

  it('with the switch, keeps secrets in a file and warns that they are not encrypted', async () => {
    const store = new PlaintextSecretStore({ env: TEST_SECRETS_ENV, file });
    await store.set('session', TOKEN);
    expect(await new PlaintextSecretStore({ env: TEST_SECRETS_ENV, file }).get('session')).toBe(
      TOKEN,
    );
    expect(store.status()).toMatchObject({
      protection: 'plaintext',
      warning: expect.stringMatching(/unencrypted/),
    });
  });
});
