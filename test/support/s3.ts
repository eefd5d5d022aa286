// A real S3-compatible server for tests: @20minutes/s3rver on 127.0.0.1 with a fresh bucket in
// a temporary directory. It verifies SigV4 signatures (header and presigned) against the key
// pair registered here, and the expiry of presigned URLs. It does not implement ListParts or
// AbortMultipartUpload (it answers 405 MethodNotAllowed), does not check part ETags when an
// upload is completed, and serves requests that carry no signature at all as anonymous, which
// real S3 refuses for a private bucket. Two flaws in its signature check are corrected below.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { S3Config } from '../../src/server/config.js';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
  allowMismatchedSignatures: boolean;
}) => S3rverInstance;
interface AccountModule {
  DUMMY_ACCOUNT: {
    createKeyPair(id: string, secret: string): void;
    revokeAccessKey(id: string): void;
  };
}

/**
 * Two places where s3rver's SigV4 check disagrees with S3's, so it rejects requests that S3 and
 * the SDK sign correctly. Each is corrected in its source as it is loaded (before s3rver's
 * routes require it); every signature is still computed and compared.
 */
const SIGV4_FIXES: { why: string; find: string; replace: string }[] = [
  {
    why:
      "the canonical query must percent-encode ! ' ( ) * as S3 does; encodeURIComponent leaves " +
      "them, which breaks every presigned URL with an RFC 8187 filename*=UTF-8''… disposition",
    find: '[param, value].map(encodeURIComponent)',
    replace: '[param, value].map(sigV4Encode)',
  },
  {
    why:
      'the canonical URI of a path-style bucket request keeps its trailing slash: the SDK signs ' +
      '/bucket/ for ListObjectsV2',
    find: "canonicalizedResource += '/' + ctx.params.key;\n      }",
    replace:
      "canonicalizedResource += '/' + ctx.params.key;\n      } else if (!ctx.state.vhost && ctx.path.endsWith('/')) {\n        canonicalizedResource += '/';\n      }",
  },
];

// s3rver ships no types and is CommonJS; its account model is where key pairs live.
const require = createRequire(import.meta.url);
loadAuthenticationWithSigV4Fixes();
const S3rver = require('@20minutes/s3rver') as S3rverClass;
const accounts = require('@20minutes/s3rver/lib/models/account') as AccountModule;

export interface TestS3 {
  endpoint: string;
  config: S3Config;
  close(): Promise<void>;
}

export async function startTestS3(): Promise<TestS3> {
  const directory = mkdtempSync(path.join(tmpdir(), 'medaius-s3-'));
  const bucket = `medaius-test-${randomBytes(4).toString('hex')}`;
  const accessKeyId = `TEST${randomBytes(8).toString('hex').toUpperCase()}`;
  const secretAccessKey = randomBytes(24).toString('base64url');
  accounts.DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
    allowMismatchedSignatures: false,
  });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  return {
    endpoint,
    config: {
      endpoint,
      bucket,
      region: 'us-east-1',
      accessKeyId,
      secretAccessKey,
      forcePathStyle: true,
    },
    close: async () => {
      await server.close();
      accounts.DUMMY_ACCOUNT.revokeAccessKey(accessKeyId);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

function loadAuthenticationWithSigV4Fixes(): void {
  const file = require.resolve('@20minutes/s3rver/lib/middleware/authentication.js');
  if (require.cache[file]) return;
  let source = readFileSync(file, 'utf8');
  for (const fix of SIGV4_FIXES) {
    if (!source.includes(fix.find)) {
      throw new Error(`s3rver changed; check whether this still needs fixing: ${fix.why}`);
    }
    source = source.replace(fix.find, fix.replace);
  }
  const sigV4Encode = (value: string) =>
    encodeURIComponent(value).replace(
      /[!'()*]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
  const middleware = new Module(file);
  middleware.filename = file;
  const load = new Function(
    'exports',
    'require',
    'module',
    '__filename',
    '__dirname',
    'sigV4Encode',
    source,
  );
  load(middleware.exports, createRequire(file), middleware, file, path.dirname(file), sigV4Encode);
  middleware.loaded = true;
  require.cache[file] = middleware;
}
