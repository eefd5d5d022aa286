// Server configuration, read once from the environment. Invalid values stop start-up with a
// message naming the variable; the signing secret is generated and kept in DATA_DIR when unset.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { FileLimits } from '../shared-node/files/types.js';

const STORAGE_TYPES = ['local', 's3', 'gcs'] as const;

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');
const megabytes = (fallback: number) =>
  z.coerce
    .number()
    .positive()
    .max(1024 * 1024)
    .default(fallback)
    .transform((mb) => Math.round(mb * 1024 * 1024));

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('.data'),
  DATABASE_URL: z
    .string()
    .refine((v) => /^(postgres|postgresql):\/\//.test(v) || /^(sqlite:|file:)?[^:]+$/.test(v), {
      message: 'must be postgres://… or a SQLite file path',
    })
    .optional(),
  STORAGE_TYPE: z.enum(STORAGE_TYPES).default('local'),
  SIGNING_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SESSION_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(12),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: flag.default(false),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  S3_BUCKET: z.string().min(3).max(63).optional(),
  S3_REGION: z.string().min(1).default('auto'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: flag.default(false),
  MAX_DOCUMENT_MB: megabytes(100),
  MAX_PHOTO_MB: megabytes(100),
  MAX_IMAGING_MB: megabytes(5 * 1024),
  MAX_VIDEO_MB: megabytes(5 * 1024),
  MAX_IMAGE_MEGAPIXELS: z.coerce.number().positive().max(1000).default(100),
  SQLITE_READ_THREADS: z.coerce
    .number()
    .int()
    .min(0)
    .max(16)
    .default(Math.min(4, availableParallelism() - 1)),
});

export type DatabaseConfig =
  | {
      dialect: 'sqlite';
      file: string;
      /** threads that run the document list and checkpoints beside the main one (read-pool.ts) */
      readThreads?: number;
    }
  | { dialect: 'postgres'; connectionString: string };

export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  database: DatabaseConfig;
  storageType: (typeof STORAGE_TYPES)[number];
  signingSecret: string;
  sessionTtlMs: number;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  trustProxy: boolean;
  /** Base of the URLs this server hands out for its own endpoints (local storage). */
  publicUrl: string | undefined;
  s3: S3Config | undefined;
  limits: FileLimits;
}

export interface S3Config {
  endpoint: string | undefined;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid server configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (err) {
    throw new ConfigError(`DATA_DIR ${dataDir} cannot be created: ${(err as Error).message}`);
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    database: databaseConfig(e.DATABASE_URL, dataDir, e.SQLITE_READ_THREADS),
    storageType: e.STORAGE_TYPE,
    signingSecret: e.SIGNING_SECRET ?? persistedSecret(dataDir),
    sessionTtlMs: e.SESSION_TTL_HOURS * 3600_000,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    s3: s3Config(e),
    limits: {
      maxBytes: {
        document: e.MAX_DOCUMENT_MB,
        photo: e.MAX_PHOTO_MB,
        imaging: e.MAX_IMAGING_MB,
        video: e.MAX_VIDEO_MB,
      },
      maxPixels: Math.round(e.MAX_IMAGE_MEGAPIXELS * 1_000_000),
    },
  };
}

/** S3 settings; required (and checked) when STORAGE_TYPE is s3 or gcs. */
function s3Config(e: z.infer<typeof EnvSchema>): S3Config | undefined {
  if (e.STORAGE_TYPE === 'local') return undefined;
  const missing = (['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const).filter(
    (k) => !e[k],
  );
  if (e.STORAGE_TYPE === 'gcs' && !e.S3_ENDPOINT) {
    // Google Cloud Storage's S3-interoperable XML API, used with HMAC keys.
    e.S3_ENDPOINT = 'https://storage.googleapis.com';
  }
  if (missing.length > 0) {
    throw new ConfigError(
      `Invalid server configuration:\n${missing.map((k) => `  ${k}: required when STORAGE_TYPE is ${e.STORAGE_TYPE}`).join('\n')}`,
    );
  }
  return {
    endpoint: e.S3_ENDPOINT,
    bucket: e.S3_BUCKET!,
    region: e.S3_REGION,
    accessKeyId: e.S3_ACCESS_KEY_ID!,
    secretAccessKey: e.S3_SECRET_ACCESS_KEY!,
    forcePathStyle: e.S3_FORCE_PATH_STYLE,
  };
}

function databaseConfig(
  url: string | undefined,
  dataDir: string,
  readThreads: number,
): DatabaseConfig {
  if (!url) return { dialect: 'sqlite', file: path.join(dataDir, 'medaius.sqlite'), readThreads };
  if (/^postgres(ql)?:\/\//.test(url)) return { dialect: 'postgres', connectionString: url };
  const file = url.replace(/^(sqlite:|file:)/, '');
  // (an in-memory database gets no reader threads: openDatabase cannot share it)
  return { dialect: 'sqlite', file: file === ':memory:' ? file : path.resolve(file), readThreads };
}

/** The secret that signs file URLs and keys the audit chain; created once, then reused. */
function persistedSecret(dataDir: string): string {
  const file = path.join(dataDir, 'signing-secret');
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
    throw new ConfigError(`${file} holds a signing secret shorter than 32 characters`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  return secret;
}
