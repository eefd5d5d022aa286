// How much faster a clinician gets a large document from the offline cache than from the server:
// a ~50 MB PDF (scanned pages) opened through OfflineCache.open from the cache (read, decrypt,
// authenticate every chunk) against the same open from the real API on loopback (metadata,
// signed URL, download, SHA-256 check), in the same run. Also the cache's decrypt throughput
// streaming the whole file. Target: decrypt ≥ 500 MB/s; a miss prints MISSED TARGET and the run
// still exits 0 (timings are not asserted).
//
//   npm run bench:cache
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'medaius-cache-bench-'));
  const world = await createBackendWorld(BACKENDS.find((b) => b.storage === 'local')!);
  const caches: OfflineCache[] = [];
  const cleanUp = async () => {
    for (const cache of caches) await cache.stop();
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

    const cacheOf = async (name: string, cacheOnOpen: boolean) => {
      const cache = await openOfflineCache({
        dir: path.join(dir, name),
        secrets: new PlaintextSecretStore({
          env: { MEDAIUS_INSECURE_TEST_SECRETS: '1' },
          file: path.join(dir, `${name}-secrets.json`),
        }),
        api: createApiHttp({ baseUrl: world.url, token: () => token, fetch }),
        limits: () => ({ maxBytes: 10 * 1024 ** 3, maxAgeMs: null }),
        cacheOnOpen,
      });
      caches.push(cache);
      return cache;
    };
    const uncached = await cacheOf('uncached', false);
    const cached = await cacheOf('cached', true);
    await cached.pin({ documentIds: [doc.id] });
    const synced = await cached.syncNow();
    if (synced.state !== 'idle') throw new Error(`The sync failed: ${synced.message}`);

    const fromServer = await timeRuns(async () => {
      const opened = await uncached.open(doc.id);
      check(opened.source === 'server' && opened.bytes.length === bytes.length, 'server open');
    });
    const fromCache = await timeRuns(async () => {
      const opened = await cached.open(doc.id);
      check(opened.source === 'cache' && opened.bytes.equals(bytes), 'cache open');
    });
    const streamed = await timeRuns(async () => {
      const opened = await cached.openStream(doc.id);
      let n = 0;
      for await (const chunk of opened!.stream) n += (chunk as Buffer).length;
      check(n === bytes.length, 'streamed size');
    });

    const mbps = (ms: number) => bytes.length / MB / (ms / 1000);
    console.log(`\nOpening a ${(bytes.length / MB).toFixed(1)} MB PDF, median of ${RUNS} runs:`);
    console.log(`  from the server (loopback) ${fromServer.toFixed(1)} ms`);
    console.log(`  from the offline cache     ${fromCache.toFixed(1)} ms`);
    console.log(
      `  ratio                      ${(fromServer / fromCache).toFixed(1)}× faster from the cache`,
    );
    const throughput = mbps(streamed);
    console.log(
      `Decrypt throughput (stream, every chunk authenticated): ${throughput.toFixed(0)} MB/s` +
        ` (target ≥ ${TARGET_DECRYPT_MBPS} MB/s)${throughput < TARGET_DECRYPT_MBPS ? '  MISSED TARGET' : ''}`,
    );
    console.log(
      `Decrypt into one buffer (cache open):                 ${mbps(fromCache).toFixed(0)} MB/s`,
    );
  } finally {
    await cleanUp();
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

/** Median wall time of RUNS runs, after one warm-up. */
async function timeRuns(run: () => Promise<void>): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`The bench's own check failed: ${what}.`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
