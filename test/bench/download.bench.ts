// How fast the local backend's signed file route serves a large file, against nginx serving the
// same file from the same disk on the same loopback, with the same client (curl, discarding the
// body). Prints MB/s for each and the ratio; the target is ours ≥ 0.7 × nginx.
//
//   npm run bench:download            (needs /usr/sbin/nginx and curl)
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerProblemHandlers } from '../../src/server/plugins/problems.js';
import { localStorageRoutes } from '../../src/server/routes/storage-local.js';
import { documentKey } from '../../src/server/storage/keys.js';
import { LocalStorage } from '../../src/server/storage/local.js';
import { UrlSigner } from '../../src/server/storage/url-signer.js';

const GiB = 1024 ** 3;
const BLOCK_BYTES = 16 * 1024 ** 2;
const FILE_BYTES = 1 * GiB;
const RUNS = 5;
const TARGET_RATIO = 0.7;
const NGINX = '/usr/sbin/nginx';
const CURL = '/usr/bin/curl';

const run = promisify(execFile);

interface Resources {
  dir: string;
  app?: FastifyInstance;
  nginx?: ChildProcess;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'medaius-download-bench-'));
  // nginx's workers drop root privileges; they must be able to read the objects directory.
  chmodSync(dir, 0o755);
  const resources: Resources = { dir };
  const stop = () => cleanUp(resources).finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await bench(resources);
  } finally {
    await cleanUp(resources);
  }
}

async function bench(r: Resources): Promise<void> {
  const objects = path.join(r.dir, 'objects');
  let baseUrl = '';
  const storage = new LocalStorage({
    root: objects,
    partsDir: path.join(r.dir, 'uploads'),
    baseUrl: () => baseUrl,
    signer: new UrlSigner(randomBytes(32).toString('base64url')),
  });
  const key = documentKey(randomUUID(), randomUUID(), randomUUID(), 'bin', new Date());

  process.stdout.write(`Writing a ${FILE_BYTES / GiB} GiB file of random data… `);
  const block = randomBytes(BLOCK_BYTES);
  const blocks = Readable.from(
    (function* () {
      for (let i = 0; i < FILE_BYTES / BLOCK_BYTES; i++) yield block;
    })(),
  );
  await storage.putObject(key, blocks, {
    contentType: 'application/octet-stream',
    size: FILE_BYTES,
  });
  console.log('done.');

  r.app = Fastify({ logger: false });
  registerProblemHandlers(r.app);
  await r.app.register(localStorageRoutes, {
    storage,
    describeDownload: async () => ({
      contentType: 'application/octet-stream',
      fileName: 'bench.bin',
      audit: async () => undefined,
    }),
  });
  await r.app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(r.app.server.address() as AddressInfo).port}`;
  const ours = await storage.signDownload({
    key,
    contentType: 'application/octet-stream',
    fileName: 'bench.bin',
    documentId: randomUUID(),
    disposition: 'attachment',
    expiresInSeconds: 3600,
  });

  const nginxPort = await freePort();
  r.nginx = await startNginx(r.dir, objects, nginxPort);
  const theirs = `http://127.0.0.1:${nginxPort}/${key}`;

  // One unmeasured download each, so both read from a warm page cache. Then alternate, so a
  // busy neighbour on the machine slows both sides of a pair alike.
  await download(ours);
  await download(theirs);
  const oursMBps: number[] = [];
  const nginxMBps: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    oursMBps.push(await download(ours));
    nginxMBps.push(await download(theirs));
  }
  report(oursMBps, nginxMBps);
}

function report(oursMBps: number[], nginxMBps: number[]): void {
  const best = (xs: number[]) => Math.max(...xs);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const row = (name: string, xs: number[]) =>
    `  ${name.padEnd(22)}${xs.map((x) => x.toFixed(0).padStart(6)).join('')}` +
    `   best ${best(xs).toFixed(0)}, median ${median(xs).toFixed(0)}`;
  const pairRatio = median(oursMBps.map((x, i) => x / nginxMBps[i]!));
  console.log(
    `\n${FILE_BYTES / GiB} GiB over loopback, curl -o /dev/null, ${RUNS} alternating runs (MB/s):`,
  );
  console.log(row('medaius /files route', oursMBps));
  console.log(row('nginx, sendfile on', nginxMBps));
  console.log(
    `  ours/nginx: ${pairRatio.toFixed(2)} (median of run pairs; best/best ` +
      `${(best(oursMBps) / best(nginxMBps)).toFixed(2)}), target ≥ ${TARGET_RATIO}: ` +
      (pairRatio >= TARGET_RATIO ? 'met' : 'MISSED TARGET'),
  );
}

/** Downloads `url` with curl, discarding the body; MB/s (10^6 bytes) as curl measured it. */
async function download(url: string): Promise<number> {
  const { stdout } = await run(CURL, [
    '--silent',
    '--show-error',
    '--output',
    '/dev/null',
    '--write-out',
    '%{http_code} %{size_download} %{speed_download}',
    url,
  ]);
  const [status, size, speed] = stdout.trim().split(' ').map(Number);
  if (status !== 200 || size !== FILE_BYTES) {
    throw new Error(
      `Downloading ${url} gave HTTP ${status} and ${size} bytes, not 200 and ${FILE_BYTES}.`,
    );
  }
  return speed! / 1e6;
}

async function startNginx(dir: string, root: string, port: number): Promise<ChildProcess> {
  const conf = path.join(dir, 'nginx.conf');
  const errorLog = path.join(dir, 'nginx-error.log');
  // Temp paths point into the bench directory so nothing is created under /var.
  writeFileSync(
    conf,
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${errorLog} warn;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  default_type application/octet-stream;
  client_body_temp_path ${dir}/nginx-body;
  proxy_temp_path ${dir}/nginx-proxy;
  fastcgi_temp_path ${dir}/nginx-fastcgi;
  uwsgi_temp_path ${dir}/nginx-uwsgi;
  scgi_temp_path ${dir}/nginx-scgi;
  server {
    listen 127.0.0.1:${port};
    root ${root};
  }
}
`,
  );
  const nginx = spawn(NGINX, ['-p', dir, '-e', errorLog, '-c', conf], { stdio: 'inherit' });
  const exited = new Promise<never>((_, reject) =>
    nginx.once('exit', (code) =>
      reject(new Error(`nginx exited (${code}) before it listened: ${readLog(errorLog)}`)),
    ),
  );
  await Promise.race([waitForPort(port), exited]);
  return nginx;
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim() || '(empty error log)';
  } catch {
    return '(no error log)';
  }
}

async function waitForPort(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nginx did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function cleanUp(r: Resources): Promise<void> {
  const nginx = r.nginx;
  r.nginx = undefined;
  if (nginx && nginx.exitCode === null) {
    const exited = new Promise((resolve) => nginx.once('exit', resolve));
    nginx.kill('SIGTERM');
    await exited;
  }
  const app = r.app;
  r.app = undefined;
  await app?.close();
  rmSync(r.dir, { recursive: true, force: true });
}

await main();
