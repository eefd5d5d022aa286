// The two storage backends as the contract tests drive them: LocalStorage behind a real Fastify
// app listening on loopback (so its signed URLs are fetched over HTTP), and S3Storage against a
// real S3-compatible server. Both sign with a clock the tests can move.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { ApiError } from '../../../src/server/errors.js';
import { registerAuthentication } from '../../../src/server/plugins/authenticate.js';
import { registerProblemHandlers } from '../../../src/server/plugins/problems.js';
import {
  localStorageRoutes,
  type DownloadContext,
} from '../../../src/server/routes/storage-local.js';
import type { AuthService } from '../../../src/server/services/auth.js';
import { LocalStorage } from '../../../src/server/storage/local.js';
import { S3Storage } from '../../../src/server/storage/s3.js';
import { UrlSigner } from '../../../src/server/storage/url-signer.js';
import { startTestS3 } from '../../support/s3.js';

export const SIGNING_SECRET = 'storage-test-signing-secret-0123456789';

/** Real time, shifted by what a test asks for: signing "an hour ago" makes a URL expired now. */
export class ShiftedClock {
  offsetMs = 0;
  readonly now = (): Date => new Date(Date.now() + this.offsetMs);
}

export interface AuditCall extends DownloadContext {
  documentId: string;
  key: string;
}

export interface LocalBackend {
  kind: 'local';
  storage: LocalStorage;
  clock: ShiftedClock;
  baseUrl: string;
  root: string;
  /** Makes a document known to the file route, as the documents service would. */
  registerDocument(documentId: string, file: { contentType: string; fileName: string }): void;
  audits: AuditCall[];
  close(): Promise<void>;
}

export interface S3Backend {
  kind: 's3';
  storage: S3Storage;
  clock: ShiftedClock;
  registerDocument(documentId: string, file: { contentType: string; fileName: string }): void;
  close(): Promise<void>;
}

export type Backend = LocalBackend | S3Backend;

/**
 * Authentication that accepts no token: the storage routes answer anyway only because they are
 * public, which is what the tests check. A real AuthService needs a database this suite has no
 * other use for.
 */
const noSessions = {
  authenticate: () => Promise.reject(new ApiError('unauthenticated', 'No sessions in this test.')),
} as unknown as AuthService;

export async function startLocalBackend(): Promise<LocalBackend> {
  const dir = mkdtempSync(path.join(tmpdir(), 'medaius-storage-'));
  const clock = new ShiftedClock();
  let baseUrl = '';
  const storage = new LocalStorage({
    root: path.join(dir, 'objects'),
    partsDir: path.join(dir, 'uploads'),
    baseUrl: () => baseUrl,
    signer: new UrlSigner(SIGNING_SECRET, clock.now),
  });
  const documents = new Map<string, { contentType: string; fileName: string }>();
  const audits: AuditCall[] = [];
  // A keep-alive connection that fetch() left open must not hold up closing the server.
  const app = Fastify({ logger: false, forceCloseConnections: true });
  registerProblemHandlers(app);
  registerAuthentication(app, noSessions);
  await app.register(localStorageRoutes, {
    storage,
    describeDownload: async (documentId, key) => {
      const file = documents.get(documentId);
      if (!file) return null;
      return {
        ...file,
        audit: async (context) => {
          audits.push({ documentId, key, ...context });
        },
      };
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    kind: 'local',
    storage,
    clock,
    baseUrl,
    root: path.join(dir, 'objects'),
    registerDocument: (id, file) => documents.set(id, file),
    audits,
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startS3Backend(): Promise<S3Backend> {
  const s3 = await startTestS3();
  const clock = new ShiftedClock();
  const storage = new S3Storage(s3.config, { type: 's3', clock: clock.now });
  return {
    kind: 's3',
    storage,
    clock,
    // The S3 backend carries content type and file name in the presigned URL itself.
    registerDocument: () => undefined,
    close: async () => {
      storage.destroy();
      await s3.close();
    },
  };
}

export const BACKENDS: { name: string; start: () => Promise<Backend> }[] = [
  { name: 'local', start: startLocalBackend },
  { name: 's3 (s3rver)', start: startS3Backend },
];
