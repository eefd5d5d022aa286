// The offline cache's keys. A random 256-bit data key per installation encrypts the cache; it is
// kept in the cache folder wrapped (AES-256-GCM) by a key-encryption key that lives in the
// SecretStore, which in the app is encrypted by the operating system (safeStorage). Deleting the
// wrapped data key makes every blob unreadable at once; deleting the key-encryption key also
// makes the offline view log unreadable. When the SecretStore cannot keep secrets across runs
// (no keyring), the key-encryption key is lost at exit and the next run starts an empty cache.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../fs/atomic-file.js';
import type { SecretStore } from '../secrets/secret-store.js';

/** The SecretStore entry holding the key-encryption key (base64). */
export const CACHE_KEY_SECRET = 'offline-cache-key';

const MAGIC = Buffer.from('MDCK', 'latin1');
const VERSION = 1;
const AAD = Buffer.from('medaius offline cache data key v1');
const WRAPPED_BYTES = 4 + 1 + 12 + 32 + 16;

export interface LoadedKeys {
  dataKey: Buffer;
  /** the key the offline view log is sealed with; survives a wipe of the cache */
  viewKey: Buffer;
  /**
   * Why the existing cache could not be unlocked, when it could not: the caller removes what
   * the old key encrypted, since nothing can read it any more.
   */
  lost: string | null;
}

/** Reads the data key from `keyFile`, or makes and saves a new one when there is none. */
export async function loadKeys(secrets: SecretStore, keyFile: string): Promise<LoadedKeys> {
  let lost: string | null = null;
  let kek: Buffer | null = null;
  try {
    const saved = await secrets.get(CACHE_KEY_SECRET);
    if (saved !== null) kek = Buffer.from(saved, 'base64');
    if (kek && kek.length !== 32) {
      kek = null;
      lost = 'the saved cache key is damaged';
    }
  } catch (error) {
    lost = `the saved cache key could not be read: ${(error as Error).message}`;
  }
  if (!kek) {
    kek = randomBytes(32);
    await secrets.set(CACHE_KEY_SECRET, kek.toString('base64'));
  }

  const wrapped = await readIfExists(keyFile);
  if (wrapped) {
    const unwrapped = unwrap(kek, wrapped);
    if (unwrapped) return { dataKey: unwrapped, viewKey: viewKeyOf(kek), lost };
    lost ??= 'the cache key saved on this computer no longer unlocks it';
  }
  const dataKey = await newDataKey(kek, keyFile);
  return { dataKey, viewKey: viewKeyOf(kek), lost: wrapped ? lost : null };
}

/** Replaces the data key: what the old one encrypted can no longer be read. */
export async function replaceDataKey(secrets: SecretStore, keyFile: string): Promise<Buffer> {
  await rm(keyFile, { force: true });
  return (await loadKeys(secrets, keyFile)).dataKey;
}

/** Forgets the key-encryption key too, so the offline view log is unreadable as well. */
export async function forgetKeys(secrets: SecretStore, keyFile: string): Promise<void> {
  await rm(keyFile, { force: true });
  await secrets.delete(CACHE_KEY_SECRET);
}

async function newDataKey(kek: Buffer, keyFile: string): Promise<Buffer> {
  const dataKey = randomBytes(32);
  await writeFileAtomic(keyFile, wrap(kek, dataKey), { mode: 0o600 });
  return dataKey;
}

function viewKeyOf(kek: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', kek, Buffer.alloc(0), 'medaius offline view log v1', 32));
}

function wrap(kek: Buffer, dataKey: Buffer): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, nonce);
  cipher.setAAD(AAD);
  const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
  return Buffer.concat([MAGIC, Buffer.from([VERSION]), nonce, body, cipher.getAuthTag()]);
}

function unwrap(kek: Buffer, wrapped: Buffer): Buffer | null {
  if (
    wrapped.length !== WRAPPED_BYTES ||
    !wrapped.subarray(0, 4).equals(MAGIC) ||
    wrapped[4] !== VERSION
  ) {
    return null;
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, wrapped.subarray(5, 17));
    decipher.setAAD(AAD);
    decipher.setAuthTag(wrapped.subarray(49));
    return Buffer.concat([decipher.update(wrapped.subarray(17, 49)), decipher.final()]);
  } catch {
    return null;
  }
}

async function readIfExists(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
