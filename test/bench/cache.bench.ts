// How much faster a clinician gets a large document from the offline cache than from the server:
// a ~50 MB PDF (scanned pages) opened through OfflineCache.open from the cache (read, decrypt,
// authenticate every chunk) against the same open from the real API on loopback (metadata,
// signed URL, download, SHA-256 check), in the same run. Also the cache's decrypt throughput
// streaming the whole file. Target: decrypt ≥ 500 MB/s; a miss prints MISSED TARGET and the run
// still exits 0 (timings are not asserted).
//
// The client runs in a process of its own, as the desktop's main process does: sharing a heap
// with the server would bill the client for the server's garbage collection.
//
//   npm run bench:cache
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { createApiHttp } from '../../src/main/services/api/http.js';
import { openOfflineCache, type OfflineCache } from '../../src/main/services/cache/index.js';
import { PlaintextSecretStore } from '../../src/main/services/secrets/plaintext.js';
import type { DocumentReference } from '../../src/shared/api/schemas.js';
import { BACKENDS, createBackendWorld } from '../support/backends.js';

const MB = 1000 ** 2;
const TARGET_BYTES = 50 * MB;
const RUNS = 7;
const TARGET_DECRYPT_MBPS = 500;
/** Set in the client process: what it needs to reach the server and the document. */
const CLIENT_SWITCH = 'MEDAIUS_CACHE_BENCH_CLIENT';

interface ClientConfig {
  baseUrl: string;
  token: string;
  documentId: string;
  sha256: string;
  dir: string;
}

interface Timing {
  median: number;
  best: number;
}

interface ClientResults {
  fromServer: Timing;
  fromCache: Timing;
  streamed: Timing;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'medaius-cache-bench-'));
  const world = await createBackendWorld(BACKENDS.find((b) => b.storage === 'local')!);
  const cleanUp = async () => {
    await world.close();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  try {
    const token = await world.login(world.a.users.clinician.email);
    process.stdout.write('Making and uploading a ~50 MB PDF of scanned pages… ');
    const bytes = await scannedPdf(TARGET_BYTES);
    const doc = await upload(world.url, token, world.a.patients[1]!, bytes);
    console.log(`${(bytes.length / MB).toFixed(1)} MB.`);
    process.stdout.write('Opening it in the client process… ');
    const results = await runClient({
      baseUrl: world.url(),
      token,
      documentId: doc.id,
      sha256: doc.sha256,
      dir,
    });
    console.log('done.');
    report(bytes.length, results);
  } finally {
    await cleanUp();
  }
}

function report(size: number, { fromServer, fromCache, streamed }: ClientResults): void {
  const mbps = (ms: number) => size / MB / (ms / 1000);
  const ms = (t: Timing) => `${t.median.toFixed(1)} ms (best ${t.best.toFixed(1)} ms)`;
  console.log(
    `\nOpening a ${(size / MB).toFixed(1)} MB PDF, median of ${RUNS} runs` +
      ` (load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores):`,
  );
  console.log(`  from the server (loopback)  ${ms(fromServer)}`);
  console.log(`  from the offline cache      ${ms(fromCache)}`);
  console.log(
    `  ratio                       ${(fromServer.median / fromCache.median).toFixed(1)}× faster from the cache` +
      ` (best ${(fromServer.best / fromCache.best).toFixed(1)}×)`,
  );
  const throughput = mbps(streamed.median);
  console.log(
    `Decrypt throughput, streaming with every chunk authenticated: ${throughput.toFixed(0)} MB/s` +
      ` (best ${mbps(streamed.best).toFixed(0)} MB/s; target ≥ ${TARGET_DECRYPT_MBPS} MB/s)` +
      (throughput < TARGET_DECRYPT_MBPS ? '  MISSED TARGET' : ''),
  );
  console.log(
    `Decrypt into one new buffer (cache open): ${mbps(fromCache.median).toFixed(0)} MB/s` +
      ` (best ${mbps(fromCache.best).toFixed(0)} MB/s)`,
  );
}

/** Runs this file again as the client; resolves with the timings it prints as its last line. */
async function runClient(config: ClientConfig): Promise<ClientResults> {
  const child = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), fileURLToPath(import.meta.url)],
    {
      env: { ...process.env, [CLIENT_SWITCH]: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let last = '';
  for await (const line of createInterface({ input: child.stdout! })) last = line;
  const code = await new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`The client process failed (exit code ${code}).`);
  return JSON.parse(last) as ClientResults;
}

/** The client: a cache that keeps nothing (opens from the server) and one that has it pinned. */
async function client(config: ClientConfig): Promise<void> {
  const caches: OfflineCache[] = [];
  const cacheOf = async (name: string, cacheOnOpen: boolean) => {
    const cache = await openOfflineCache({
      dir: path.join(config.dir, name),
      secrets: new PlaintextSecretStore({
        env: { MEDAIUS_INSECURE_TEST_SECRETS: '1' },
        file: path.join(config.dir, `${name}-secrets.json`),
      }),
      api: createApiHttp({ baseUrl: () => config.baseUrl, token: () => config.token, fetch }),
      limits: () => ({ maxBytes: 10 * 1024 ** 3, maxAgeMs: null }),
      cacheOnOpen,
    });
    caches.push(cache);
    return cache;
  };
  try {
    const uncached = await cacheOf('uncached', false);
    const cached = await cacheOf('cached', true);
    await cached.pin({ documentIds: [config.documentId] });
    const synced = await cached.syncNow();
    if (synced.state !== 'idle') throw new Error(`The sync failed: ${synced.message}`);
    const first = await cached.open(config.documentId);
    check(sha256(first.bytes) === config.sha256, 'the cached copy is the file');
    const size = first.bytes.length;

    // Cache first, then the server: each phase leaves garbage (50 MB buffers) whose freeing
    // slows the next for a moment, so each also starts after a pause.
    const streamed = await timeRuns(async () => {
      const opened = await cached.openStream(config.documentId);
      let n = 0;
      for await (const chunk of opened!.stream) n += (chunk as Buffer).length;
      check(n === size, 'streamed size');
    });
    const fromCache = await timeRuns(async () => {
      const opened = await cached.open(config.documentId);
      check(opened.source === 'cache' && opened.bytes.length === size, 'cache open');
    });
    const fromServer = await timeRuns(async () => {
      const opened = await uncached.open(config.documentId);
      check(opened.source === 'server' && opened.bytes.length === size, 'server open');
    });
    const results: ClientResults = { fromServer, fromCache, streamed };
    console.log(JSON.stringify(results));
  } finally {
    for (const cache of caches) await cache.stop();
  }
}

/**
 * A PDF of noisy photo-like JPEG pages (as a scanner makes them), at least `minBytes` long.
 * Two page images alternate: making noise is slow, and the cache does not care.
 */
async function scannedPdf(minBytes: number): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const pages = await Promise.all(
    [128, 140].map((mean) =>
      sharp({
        create: {
          width: 2480,
          height: 3508,
          channels: 3,
          background: { r: 240, g: 240, b: 235 },
          noise: { type: 'gaussian', mean, sigma: 50 },
        },
      })
        .jpeg({ quality: 92 })
        .toBuffer(),
    ),
  );
  let total = 0;
  for (let page = 0; total < minBytes; page++) {
    const jpeg = pages[page % pages.length]!;
    const image = await doc.embedJpg(jpeg);
    const p = doc.addPage([595, 842]);
    p.drawImage(image, { x: 0, y: 0, width: 595, height: 842 });
    total += jpeg.length;
  }
  return Buffer.from(await doc.save());
}

async function upload(
  baseUrl: () => string,
  token: string,
  patientId: string,
  bytes: Buffer,
): Promise<DocumentReference> {
  const form = new FormData();
  form.append('patientId', patientId);
  form.append('category', 'imaging');
  form.append('title', 'Bench scan');
  form.append('file', new Blob([bytes], { type: 'application/pdf' }), 'bench-scan.pdf');
  const res = await fetch(`${baseUrl()}/api/v1/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  if (res.status !== 201) throw new Error(`The upload failed: ${await res.text()}`);
  return (await res.json()) as DocumentReference;
}

/** Median and best wall time of RUNS runs, after one warm-up and a pause. */
async function timeRuns(run: () => Promise<void>): Promise<Timing> {
  await run();
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, best: times[0]! };
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`The bench's own check failed: ${what}.`);
}

const clientConfig = process.env[CLIENT_SWITCH];
(clientConfig ? client(JSON.parse(clientConfig) as ClientConfig) : main()).catch(
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
