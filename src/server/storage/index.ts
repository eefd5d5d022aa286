// Chooses the storage backend the configuration names. The local backend also needs its routes
// (routes/storage-local.ts); `storage.type === 'local'` tells the app to register them.
import path from 'node:path';
import type { Clock } from '../clock.js';
import type { ServerConfig } from '../config.js';
import { LocalStorage } from './local.js';
import { S3Storage } from './s3.js';
import type { UrlSigner } from './url-signer.js';

export interface StorageDependencies {
  /** Public base URL of this API, for the local backend's signed URLs. */
  baseUrl: () => string;
  signer: UrlSigner;
  /** Signing time of S3 presigned URLs (local URLs use the signer's clock). */
  clock?: Clock;
}

export function createStorage(
  config: Pick<ServerConfig, 'storageType' | 'dataDir' | 's3'>,
  deps: StorageDependencies,
): LocalStorage | S3Storage {
  if (config.storageType === 'local') {
    return new LocalStorage({
      root: path.join(config.dataDir, 'objects'),
      partsDir: path.join(config.dataDir, 'uploads'),
      baseUrl: deps.baseUrl,
      signer: deps.signer,
    });
  }
  if (!config.s3) {
    throw new Error(`STORAGE_TYPE is ${config.storageType} but no S3_* settings were loaded.`);
  }
  return new S3Storage(config.s3, { type: config.storageType, clock: deps.clock });
}
