// The upload engine through a TCP proxy that resets, cuts and stalls connections mid-part, and
// that goes down and comes back: batches still end on the server once, byte-identical, and a
// lost network shows as waiting, never as failure. Also expired part URLs and a storage
// session the provider dropped.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiHttp } from '../../../src/main/services/api/http.js';
import type { QueueItem } from '../../../src/main/services/upload/types.js';
import { UploadRepository } from '../../../src/server/repositories/uploads.js';
import { BACKENDS, createBackendWorld, type Backend } from '../../support/backends.js';
import { bigTiff, jpeg, pdf, sha256 } from '../../support/files.js';
import { startTcpProxy, type FaultPlan } from '../../support/tcp-proxy.js';
import {
  allIn,
  documentsOf,
  downloadedSha256,
  MiB,
  stage,
  startEngine,
  summaryIs,
  tempDir,
  waitFor,
} from './upload-harness.js';

const local = BACKENDS.find((b) => b.storage === 'local' && b.dialect === 'sqlite')!;
const s3 = BACKENDS.find((b) => b.storage === 's3')!;
// Generous: these run beside other suites on two cores, and only waits depend on it.
vi.setConfig({ testTimeout: 180_000 });

/** A world whose API (and, on S3, whose storage) the engine reaches only through proxies. */
async function proxiedWorld(backend: Backend) {
  const api = await startTcpProxy({ seed: 7 });
  const storage = backend.storage === 's3' ? await startTcpProxy({ seed: 11 }) : null;
  // Signed URLs name the host the server is configured with, so that host is the proxy.
  const w = await createBackendWorld(backend, {
    env: storage ? { S3_ENDPOINT: storage.url } : { PUBLIC_URL: api.url },
  });
  api.target = new URL(w.url()).host;
  if (storage) storage.target = new URL(w.s3!.endpoint).host;
  return {
    w,
    api,
    storage,
    close: async () => {
      await api.close();
      await storage?.close();
      await w.close();
    },
  };
}

/**
 * Faults on most connections that carry part bytes (control calls are too small to reach
 * them), every kind in turn so each shows up however few connections a run opens.
 */
const midPartFaults: FaultPlan = (random, index) => {
  const afterBytes = 64 * 1024 + Math.floor(random() * 6 * MiB);
  switch (index % 5) {
    case 0:
      return { kind: 'reset', afterBytes };
    case 1:
      // shorter than the engine's stall timeout (2 s): the part goes on
      return { kind: 'stall', afterBytes, ms: 800 };
    case 2:
      return { kind: 'cut', afterBytes };
    case 3:
      // longer: the engine gives up on the part and sends it again
      return { kind: 'stall', afterBytes, ms: 4_000 };
    default:
      return null;
  }
};

describe.each([local, s3])('uploads through a faulty network ($name)', (backend) => {
  let net: Awaited<ReturnType<typeof proxiedWorld>>;
  let token: string;
  let staging: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    net = await proxiedWorld(backend);
    token = await net.w.login(net.w.a.users.clinician.email);
    staging = tempDir('medaius-staging-');
  });
  afterAll(async () => {
    await net?.close();
    staging?.remove();
  });

  it('completes a batch through resets, cuts and stalls mid-part, with no duplicates', async () => {
    const { w } = net;
    const patientId = w.a.patients[1]!;
    const files = [
      { bytes: await bigTiff(2500, 2500), fileName: 'ct-1.tiff', contentType: 'image/tiff' },
      { bytes: await bigTiff(2300, 2300), fileName: 'ct-2.tiff', contentType: 'image/tiff' },
      { bytes: await jpeg(1600, 1200), fileName: 'photo.jpg', contentType: 'image/jpeg' },
      { bytes: await pdf(4), fileName: 'letter.pdf', contentType: 'application/pdf' },
    ];
    const items = await Promise.all(
      files.map((f) => stage(staging.dir, f.bytes, { ...f, patientId })),
    );
    const faulty = net.storage ?? net.api;
    faulty.plan = midPartFaults;
    const engine = await startEngine(() => net.api.url, token, { stallTimeoutMs: 2_000 });
    try {
      const ids = (await engine.queue.enqueue(items, { batchId: randomUUID() })).map((q) => q.id);
      await waitFor('the batch to be done', () => allIn(engine, ids, ['done']), 120_000);
    } finally {
      faulty.plan = null;
      await engine.close();
    }
    const { reset, cut, stalled } = faulty.stats;
    expect(reset + cut, 'connections broken mid-part').toBeGreaterThan(0);
    expect(stalled, 'connections stalled mid-part').toBeGreaterThan(0);
    expect(engine.events.some((e) => e.type === 'item' && e.item.state === 'failed')).toBe(false);
    const docs = await documentsOf(w, token, patientId);
    expect(docs.map((d) => d.fileName).sort()).toEqual(files.map((f) => f.fileName).sort());
    for (const f of files) {
      const doc = docs.find((d) => d.fileName === f.fileName)!;
      expect(await downloadedSha256(w, token, doc.id), f.fileName).toBe(sha256(f.bytes));
    }
  });

  it.runIf(backend.storage === 'local')(
    'waits for the network while the server is unreachable, then uploads by itself',
    async () => {
      const { w } = net;
      const patientId = w.a.patients[2]!;
      const items = [
        await stage(staging.dir, await jpeg(), {
          fileName: 'a.jpg',
          contentType: 'image/jpeg',
          patientId,
        }),
        await stage(staging.dir, await pdf(1), {
          fileName: 'b.pdf',
          contentType: 'application/pdf',
          patientId,
        }),
      ];
      await net.api.down();
      const engine = await startEngine(() => net.api.url, token);
      try {
        const ids = (await engine.queue.enqueue(items)).map((q) => q.id);
        await waitFor('both to wait for the network', () =>
          allIn(engine, ids, ['waiting-for-network']),
        );
        expect(summaryIs(engine, { online: false, pending: 2 })).toBe(true);
        // Several retries later (they back off to 1 s here), still waiting rather than failed.
        await new Promise((resolve) => setTimeout(resolve, 2_500));
        expect(allIn(engine, ids, ['waiting-for-network'])).toBe(true);

        await net.api.up();
        await waitFor('both to be saved', () => allIn(engine, ids, ['done']));
        await waitFor('the summary', () => summaryIs(engine, { online: true, pending: 0 }));
        expect(engine.events.some((e) => e.type === 'item' && e.item.state === 'failed')).toBe(
          false,
        );
        const names = (await documentsOf(w, token, patientId)).map((d) => d.fileName).sort();
        expect(names).toEqual(['a.jpg', 'b.pdf']);
      } finally {
        await engine.close();
      }
    },
  );

  it.runIf(backend.storage === 'local')(
    'goes on mid-file as soon as it hears the network is back',
    async () => {
      const { w } = net;
      const patientId = w.a.patients[0]!;
      const bytes = await bigTiff(2500, 2500);
      const item = await stage(staging.dir, bytes, {
        fileName: 'offline-mid-file.tiff',
        contentType: 'image/tiff',
        patientId,
      });
      // Waits so long between retries that only networkChanged() brings it back in time.
      const engine = await startEngine(() => net.api.url, token, {
        concurrency: 1,
        retryDelayMs: 60_000,
        maxRetryDelayMs: 60_000,
      });
      try {
        const [q] = await engine.queue.enqueue([item]);
        await waitFor('some bytes sent', () => engine.item(q!.id)!.bytesSent > 0);
        await net.api.down();
        await waitFor('waiting-for-network', () => allIn(engine, [q!.id], ['waiting-for-network']));
        await net.api.up();
        engine.queue.networkChanged();
        await waitFor('the file to be saved', () => allIn(engine, [q!.id], ['done']));
        const doc = (await documentsOf(w, token, patientId)).find(
          (d) => d.fileName === 'offline-mid-file.tiff',
        );
        expect(await downloadedSha256(w, token, doc!.id)).toBe(sha256(bytes));
      } finally {
        await engine.close();
      }
    },
  );

  it.runIf(backend.storage === 'local')(
    'signs a part again when its URL expired while it waited',
    async () => {
      const { w } = net;
      const patientId = w.a.patients[0]!;
      const bytes = await bigTiff(2500, 2500);
      const item = await stage(staging.dir, bytes, {
        fileName: 'expired-links.tiff',
        contentType: 'image/tiff',
        patientId,
      });
      let signCalls = 0;
      const api = createApiHttp({
        baseUrl: () => net.api.url,
        token: () => token,
        fetch: (input, init) => {
          if (String(input).endsWith('/parts/sign')) signCalls++;
          return fetch(input, init);
        },
      });
      // The first part stalls in the proxy while two hours pass on the server: the URLs the
      // engine signed ahead for parts 2 and 3 have expired by the time it uses them.
      net.api.plan = (_random, index) =>
        index === 0 ? null : { kind: 'stall', afterBytes: 2 * MiB, ms: Infinity };
      const engine = await startEngine(() => net.api.url, token, {
        api,
        concurrency: 1,
        stallTimeoutMs: 30_000,
      });
      try {
        const stalledBefore = net.api.stats.stalled;
        const [q] = await engine.queue.enqueue([item]);
        await waitFor('the first part to stall', () => net.api.stats.stalled > stalledBefore);
        net.api.plan = null;
        w.time.advance(2 * 3600_000);
        net.api.releaseStalls();
        await waitFor('the file to be saved', () => allIn(engine, [q!.id], ['done']));
        expect(signCalls).toBeGreaterThanOrEqual(2);
        const doc = (await documentsOf(w, token, patientId)).find(
          (d) => d.fileName === 'expired-links.tiff',
        );
        expect(await downloadedSha256(w, token, doc!.id)).toBe(sha256(bytes));
      } finally {
        net.api.plan = null;
        await engine.close();
      }
    },
  );

  it.runIf(backend.storage === 'local')(
    'sends every part again when the storage dropped the upload session',
    async () => {
      const { w } = net;
      const patientId = w.a.patients[0]!;
      const bytes = await bigTiff(2500, 2500);
      const item: QueueItem = await stage(staging.dir, bytes, {
        fileName: 'dropped-session.tiff',
        contentType: 'image/tiff',
        patientId,
      });
      const engine = await startEngine(() => net.api.url, token, { concurrency: 1 });
      try {
        const [q] = await engine.queue.enqueue([item]);
        // Part 1 confirmed: the only way bytesSent reaches a part and a half with one in flight.
        await waitFor('a part on the server', () => engine.item(q!.id)!.bytesSent >= 12 * MiB);
        await engine.queue.pause(q!.id);
        const row = await new UploadRepository(w.database.db).findAnyOrganization(q!.id);
        // What a provider does to multipart uploads left unfinished too long.
        await w.storage.abortMultipartUpload(row!.storage_key, row!.storage_upload_id);
        await engine.queue.resume(q!.id);
        await waitFor('the file to be saved', () => allIn(engine, [q!.id], ['done']));
        const doc = (await documentsOf(w, token, patientId)).find(
          (d) => d.fileName === 'dropped-session.tiff',
        );
        expect(await downloadedSha256(w, token, doc!.id)).toBe(sha256(bytes));
      } finally {
        await engine.close();
      }
    },
  );
});
