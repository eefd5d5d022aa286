// The server set-ups the storage tests run on: the local backend on both databases, and a real
// S3-compatible server (which checks SigV4 signatures) on SQLite.
import type { Dialect } from '../../src/server/db/database.js';
import { startTestS3, type TestS3 } from './s3.js';
import { createWorld, type World, type WorldOptions } from './world.js';

export interface Backend {
  name: string;
  dialect: Dialect;
  storage: 'local' | 's3';
}

export const BACKENDS: Backend[] = [
  { name: 'local storage, SQLite', dialect: 'sqlite', storage: 'local' },
  { name: 'local storage, PostgreSQL', dialect: 'postgres', storage: 'local' },
  { name: 'S3 storage, SQLite', dialect: 'sqlite', storage: 's3' },
];

export async function createBackendWorld(
  backend: Backend,
  options: WorldOptions = {},
): Promise<World & { s3?: TestS3 }> {
  if (backend.storage === 'local')
    return createWorld(backend.dialect, { ...options, listen: true });
  const s3 = await startTestS3();
  const w = await createWorld(backend.dialect, {
    ...options,
    listen: true,
    env: {
      STORAGE_TYPE: 's3',
      S3_ENDPOINT: s3.config.endpoint!,
      S3_BUCKET: s3.config.bucket,
      S3_REGION: s3.config.region,
      S3_ACCESS_KEY_ID: s3.config.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.config.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
      ...options.env,
    },
  });
  return {
    ...w,
    s3,
    close: async () => {
      await w.close();
      await s3.close();
    },
  };
}
