// Downloads into the offline cache that are interrupted mid-file — the connection dropped by the
// network, or the app quitting — go on with a Range request for the rest instead of starting
// over, and what ends up in the cache is the file, byte for byte. The server's audit log, which
// records the range of every ranged file read, shows what was fetched.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiHttp } from '../../../src/main/services/api/http.js';
import { openOfflineCache, type OfflineCache } from '../../../src/main/services/cache/index.js';
import { PlaintextSecretStore } from '../../../src/main/services/secrets/plaintext.js';
import type { AuditEvent, DocumentReference } from '../../../src/shared/api/schemas.js';
import { BACKENDS, createBackendWorld } from '../../support/backends.js';
import { bigTiff } from '../../support/files.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import type { World } from '../../support/world.js';

vi.setConfig({ testTimeout: 180_000 });

const local = BACKENDS.find((b) => b.storage === 'local' && b.dialect === 'sqlite')!;
const MiB = 1024 * 1024;

let w: World;
let proxy: TcpProxy;
let token: string;
let admin: string;
let scratch: string;
let scan: { doc: DocumentReference; bytes: Buffer };

beforeAll(async () => {
  proxy = await startTcpProxy();
  w = await createBackendWorld(local, { env: { PUBLIC_URL: proxy.url } });
  proxy.target = new URL(w.url()).host;
  token = await w.login(w.a.users.clinician.email);
  admin = await w.login(w.a.users.admin.email);
  scratch = mkdtempSync(path.join(tmpdir(), 'medaius-cache-resume-'));
  // Large enough that the connection is still busy when the test breaks it.
  const bytes = await bigTiff(3000, 3000);
  const form = new FormData();
  form.append('patientId', w.a.patients[1]!);
  form.append('category', 'imaging');
  form.append('file', new Blob([bytes], { type: 'image/tiff' }), 'ct-slice.tiff');
  const res = await fetch(`${w.url()}/api/v1/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  if (res.status !== 201) throw new Error(`upload: ${await res.text()}`);
  scan = { doc: (await res.json()) as DocumentReference, bytes };
});
afterAll(async () => {
  await proxy?.close();
  await w?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function startCache(dir: string): Promise<OfflineCache> {
  return openOfflineCache({
    dir,
    secrets: new PlaintextSecretStore({
      env: { MEDAIUS_INSECURE_TEST_SECRETS: '1' },
      file: `${dir}-secrets.json`,
    }),
    api: createApiHttp({ baseUrl: () => proxy.url, token: () => token, fetch, timeoutMs: 10_000 }),
    limits: () => ({ maxBytes: 1024 ** 3, maxAgeMs: null }),
    retryDelayMs: 50,
    reportError: () => undefined,
  });
}

/** The byte ranges the server served of the document since `after` (null: the whole file). */
async function servedRanges(after: number): Promise<({ start: number; end: number } | null)[]> {
  const res = await w.call(
    admin,
    'GET',
    `/api/v1/audit?entityId=${scan.doc.id}&action=file.read&limit=100`,
  );
  if (res.statusCode !== 200) throw new Error(`audit: ${res.body}`);
  return res
    .json<{ items: AuditEvent[] }>()
    .items.filter((e) => e.seq > after)
    .sort((a, b) => a.seq - b.seq)
    .map((e) => {
      const range = (e.details as { range?: string } | null)?.range;
      if (!range) return null;
      const [start, end] = range.split('-').map(Number);
      return { start: start!, end: end! };
    });
}

async function lastAuditSeq(): Promise<number> {
  const res = await w.call(admin, 'GET', `/api/v1/audit?limit=1`);
  return res.json<{ items: AuditEvent[] }>().items[0]?.seq ?? 0;
}

async function readOffline(cache: OfflineCache): Promise<Buffer> {
  await proxy.down();
  try {
    const opened = await cache.open(scan.doc.id);
    expect(opened.source).toBe('cache');
    return opened.bytes;
  } finally {
    await proxy.up();
  }
}

describe('offline cache downloads interrupted mid-file', () => {
  it('fetches only the rest after the connection drops', async () => {
    const before = await lastAuditSeq();
    const cache = await startCache(path.join(scratch, 'dropped'));
    try {
      let dropped = 0;
      cache.subscribe((event) => {
        // A few MiB in, the network goes: every connection is dropped, then it comes back.
        if (event.type === 'progress' && event.progress.bytesDone >= 3 * MiB && dropped === 0) {
          dropped = event.progress.bytesDone;
          void proxy.down().then(() => proxy.up());
        }
      });
      await cache.pin({ documentIds: [scan.doc.id] });
      const progress = await cache.syncNow();
      expect(dropped).toBeGreaterThan(0);
      expect(progress).toMatchObject({ state: 'idle', documentsDone: 1 });

      const ranges = await servedRanges(before);
      expect(ranges[0], 'the first read is of the whole file').toBeNull();
      const resumed = ranges.slice(1);
      expect(resumed.length).toBeGreaterThanOrEqual(1);
      // Each later read starts past what had already arrived, and runs to the end of the file.
      expect(resumed[0]!.start).toBeGreaterThanOrEqual(dropped);
      expect(resumed.at(-1)!.end).toBe(scan.bytes.length - 1);
      expect((await readOffline(cache)).equals(scan.bytes)).toBe(true);
    } finally {
      await cache.stop();
    }
  });

  it('goes on from the chunks on disk after the app quit mid-file', async () => {
    const dir = path.join(scratch, 'restarted');
    const before = await lastAuditSeq();
    const first = await startCache(dir);
    let stopping: Promise<void> | undefined;
    first.subscribe((event) => {
      if (event.type === 'progress' && event.progress.bytesDone >= 5 * MiB)
        stopping ??= first.stop();
    });
    await first.pin({ documentIds: [scan.doc.id] });
    await first.syncNow();
    await stopping;
    expect(first.progress().documentsDone).toBe(0);

    const second = await startCache(dir);
    try {
      const progress = await second.syncNow();
      expect(progress).toMatchObject({ state: 'idle', documentsDone: 1 });
      const ranges = await servedRanges(before);
      expect(ranges).toHaveLength(2);
      expect(ranges[0]).toBeNull();
      // Whole 1 MiB chunks survived the quit; the rest came in one ranged read.
      const { start, end } = ranges[1]!;
      expect(start % MiB).toBe(0);
      expect(start).toBeGreaterThanOrEqual(4 * MiB);
      expect(end).toBe(scan.bytes.length - 1);
      expect((await readOffline(second)).equals(scan.bytes)).toBe(true);
    } finally {
      await second.stop();
    }
  });
});
