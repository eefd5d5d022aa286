// Puts a server together from its configuration and an open database: URL signer, storage
// backend, services and the Fastify app. main.ts and the tests both build servers this way.
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { Clock } from './clock.js';
import type { ServerConfig } from './config.js';
import type { Database } from './db/database.js';
import { createServices, type Services } from './services/index.js';
import type { ThrottlePolicy } from './services/auth.js';
import { createStorage } from './storage/index.js';
import type { FileStorage } from './storage/types.js';
import { UrlSigner } from './storage/url-signer.js';

export interface ServerParts {
  app: FastifyInstance;
  services: Services;
  storage: FileStorage;
  /** Tells the local backend where this server answers, once the port is known. */
  setBaseUrl(url: string): void;
}

export async function composeServer(
  config: ServerConfig,
  database: Database,
  options: { clock: Clock; throttle?: { account: ThrottlePolicy; address: ThrottlePolicy } },
): Promise<ServerParts> {
  let baseUrl = config.publicUrl ?? `http://${config.host}:${config.port}`;
  const storage = createStorage(config, {
    baseUrl: () => baseUrl,
    signer: new UrlSigner(config.signingSecret, options.clock),
    clock: options.clock,
  });
  const tmpDir = path.join(config.dataDir, 'tmp');
  const services = createServices(database, {
    signingSecret: config.signingSecret,
    sessionTtlMs: config.sessionTtlMs,
    clock: options.clock,
    throttle: options.throttle,
    storage,
    storageUri: storageUriFor(config),
    limits: config.limits,
    tmpDir,
  });
  const app = await buildApp({
    database,
    services,
    storage,
    intake: {
      tmpDir,
      maxFileBytes: Math.max(config.limits.maxBytes.document, config.limits.maxBytes.photo),
    },
    logLevel: config.logLevel,
    trustProxy: config.trustProxy,
  });
  return {
    app,
    services,
    storage,
    setBaseUrl: (url) => {
      if (!config.publicUrl) baseUrl = url;
    },
  };
}

/** The `url` recorded on a document: where its bytes are, in the backend's own terms. */
function storageUriFor(config: ServerConfig): (key: string) => string {
  switch (config.storageType) {
    case 'local':
      return (key) => `local:///${key}`;
    case 's3':
      return (key) => `s3://${config.s3!.bucket}/${key}`;
    case 'gcs':
      return (key) => `gs://${config.s3!.bucket}/${key}`;
  }
}
