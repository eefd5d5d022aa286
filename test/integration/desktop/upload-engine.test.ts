// The upload engine against the real API: a batch filed whole on local and S3 storage, and the
// controls a user has — pause, resume, cancel — and signing in again after the token expired.
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiHttp } from '../../../src/main/services/api/http.js';
import { createUploadQueue } from '../../../src/main/services/upload/queue.js';
import { BACKENDS, createBackendWorld } from '../../support/backends.js';
import { bigTiff, jpeg, pdf, sha256 } from '../../support/files.js';
import type { World } from '../../support/world.js';
import {
  allIn,
  documentsOf,
  downloadedSha256,
  MiB,
  stage,
  startEngine,
  summaryIs,
  tempDir,
  uploadState,
  waitFor,
} from './upload-harness.js';

const backends = BACKENDS.filter((b) => b.dialect === 'sqlite');
// Generous: these run beside other suites on two cores, and only waits depend on it.
vi.setConfig({ testTimeout: 120_000 });

describe.each(backends)('upload engine ($name)', (backend) => {
  let w: World;
  let token: string;
  let staging: ReturnType<typeof tempDir>;
  beforeAll(async () => {
    w = await createBackendWorld(backend);
    token = await w.login(w.a.users.clinician.email);
    staging = tempDir('medaius-staging-');
  });
  afterAll(async () => {
    await w?.close();
    staging?.remove();
  });

  it('files a three-file batch once, byte for byte, and releases the staged copies', async () => {
    const patientId = w.a.patients[1]!;
    const files = [
      { bytes: await bigTiff(2500, 2500), fileName: 'chest.tiff', contentType: 'image/tiff' },
      { bytes: await jpeg(1200, 900), fileName: 'wound.jpg', contentType: 'image/jpeg' },
      { bytes: await pdf(3), fileName: 'referral.pdf', contentType: 'application/pdf' },
    ];
    expect(files[0]!.bytes.length).toBeGreaterThan(17 * MiB);
    const items = await Promise.all(
      files.map((f) => stage(staging.dir, f.bytes, { ...f, patientId })),
    );
    const engine = await startEngine(w.url, token);
    try {
      const queued = await engine.queue.enqueue(items, { batchId: randomUUID() });
      const ids = queued.map((q) => q.id);
      await waitFor('the batch to be done', () => allIn(engine, ids, ['done']));
      await waitFor('the staged copies released', () => engine.released.length === ids.length);
      await waitFor('the summary', () => summaryIs(engine, { pending: 0 }));

      const docs = await documentsOf(w, token, patientId);
      for (const [i, f] of files.entries()) {
        const matching = docs.filter((d) => d.fileName === f.fileName);
        expect(matching, f.fileName).toHaveLength(1);
        expect(matching[0]!.id).toBe(engine.item(ids[i]!)!.documentId);
        expect(matching[0]!.sha256).toBe(sha256(f.bytes));
        expect(await downloadedSha256(w, token, matching[0]!.id)).toBe(sha256(f.bytes));
      }
      expect(engine.released.sort()).toEqual([...ids].sort());
      expect(items.some((i) => engine.queue.holdsStaged(i.sha256))).toBe(false);
      for (const item of items) expect(existsSync(item.stagedPath)).toBe(false);

      for (const id of ids) {
        const seen = engine.itemEvents(id);
        const states = seen.map((s) => s.state).filter((s, i, all) => s !== all[i - 1]);
        expect(states, `states of ${id}`).toEqual(['queued', 'uploading', 'committing', 'done']);
        const bytes = seen.map((s) => s.bytesSent);
        expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
        expect(bytes.at(-1)).toBe(seen[0]!.size);
      }
      const big = engine.itemEvents(ids[0]!).filter((s) => s.state === 'uploading');
      // A multi-part file reports progress along the way, not just at the end.
      expect(new Set(big.map((s) => s.bytesSent)).size).toBeGreaterThan(2);
      const summaries = engine.events.flatMap((e) => (e.type === 'summary' ? [e.summary] : []));
      expect(summaries.at(-1)).toEqual({ pending: 0, online: true, signedIn: true });
    } finally {
      await engine.close();
    }
  });

  it.runIf(backend.storage === 'local')(
    'pauses one file while others go on, resumes it, and cancels another',
    async () => {
      const patientId = w.a.patients[2]!;
      const big = await bigTiff(2500, 2500);
      const [slow, small, doomed] = await Promise.all([
        stage(staging.dir, big, { fileName: 'paused.tiff', contentType: 'image/tiff', patientId }),
        stage(staging.dir, await jpeg(), {
          fileName: 'small.jpg',
          contentType: 'image/jpeg',
          patientId,
        }),
        stage(staging.dir, big, {
          fileName: 'cancelled.tiff',
          contentType: 'image/tiff',
          patientId,
        }),
      ]);
      // Engine started on a queue that holds the items already paused: nothing moves yet.
      const engine = await startEngine(w.url, token, { concurrency: 1 });
      try {
        const [p, s] = await engine.queue.enqueue([slow!, small!]);
        await engine.queue.pause(p!.id);
        expect(engine.item(p!.id)!.state).toBe('paused');
        await waitFor('the small file', () => allIn(engine, [s!.id], ['done']));
        expect(engine.item(p!.id)!.state).toBe('paused');
        expect((await documentsOf(w, token, patientId)).map((d) => d.fileName)).toEqual([
          'small.jpg',
        ]);

        await engine.queue.resume(p!.id);
        await waitFor('the resumed file', () => allIn(engine, [p!.id], ['done']));
        const pausedDoc = (await documentsOf(w, token, patientId)).find(
          (d) => d.fileName === 'paused.tiff',
        );
        expect(await downloadedSha256(w, token, pausedDoc!.id)).toBe(sha256(big));

        const [c] = await engine.queue.enqueue([doomed!]);
        await waitFor('bytes of the file to cancel', () => engine.item(c!.id)!.bytesSent > 0);
        await engine.queue.cancel(c!.id);
        expect(engine.item(c!.id)).toBeUndefined();
        await waitFor('its staged copy released', () => engine.released.includes(c!.id));
        expect(existsSync(doomed!.stagedPath)).toBe(false);
        const state = await uploadState(w, token, c!.id);
        expect(state.body.status).toBe('aborted');
        const names = (await documentsOf(w, token, patientId)).map((d) => d.fileName).sort();
        expect(names).toEqual(['paused.tiff', 'small.jpg']);
      } finally {
        await engine.close();
      }
    },
  );

  it.runIf(backend.storage === 'local')(
    'waits for sign-in when the token is refused, and goes on when a new one arrives',
    async () => {
      const patientId = w.a.patients[0]!;
      const bytes = await pdf(2, 'Consent form');
      const item = await stage(staging.dir, bytes, {
        fileName: 'consent.pdf',
        contentType: 'application/pdf',
        patientId,
      });
      const engine = await startEngine(w.url, 'expired-token');
      try {
        const [q] = await engine.queue.enqueue([item]);
        await waitFor('waiting-for-sign-in', () => allIn(engine, [q!.id], ['waiting-for-sign-in']));
        expect(summaryIs(engine, { signedIn: false, pending: 1 })).toBe(true);
        expect(existsSync(item.stagedPath)).toBe(true);

        engine.setToken(token);
        engine.queue.tokenChanged();
        await waitFor('the file to be saved', () => allIn(engine, [q!.id], ['done']));
        const doc = (await documentsOf(w, token, patientId)).filter(
          (d) => d.fileName === 'consent.pdf',
        );
        expect(doc).toHaveLength(1);
        expect(engine.itemEvents(q!.id).some((s) => s.state === 'failed')).toBe(false);
      } finally {
        await engine.close();
      }
    },
  );

  it.runIf(backend.storage === 'local')(
    'fails a file the server refuses, keeps its staged copy, and rolls back its batch',
    async () => {
      const patientId = w.a.patients[0]!;
      const good = await stage(staging.dir, await jpeg(), {
        fileName: 'fine.jpg',
        contentType: 'image/jpeg',
        patientId,
      });
      // A PDF that claims to be a JPEG: the server's content check refuses it.
      const liar = await stage(staging.dir, await pdf(1), {
        fileName: 'photo.jpg',
        contentType: 'image/jpeg',
        patientId,
      });
      const engine = await startEngine(w.url, token);
      try {
        const queued = await engine.queue.enqueue([good, liar], { batchId: randomUUID() });
        const ids = queued.map((q) => q.id);
        await waitFor('the batch to fail', () => allIn(engine, ids, ['failed']));
        const [fine, bad] = ids.map((id) => engine.item(id)!);
        expect(bad!.error?.message).toMatch(/photo\.jpg/);
        expect(fine!.error?.message).toMatch(
          /fine\.jpg was not saved: photo\.jpg of the same filing failed/,
        );
        expect(engine.released).toEqual([]);
        expect(engine.queue.holdsStaged(good.sha256) && engine.queue.holdsStaged(liar.sha256)).toBe(
          true,
        );
        expect(existsSync(good.stagedPath) && existsSync(liar.stagedPath)).toBe(true);
        const names = (await documentsOf(w, token, patientId)).map((d) => d.fileName);
        expect(names).not.toContain('fine.jpg');

        // Dismissing the bad file releases it; trying the other again files it alone.
        await engine.queue.cancel(bad!.id);
        await waitFor('the dismissed copy released', () => engine.released.includes(bad!.id));
        expect(engine.queue.holdsStaged(liar.sha256)).toBe(false);
        await engine.queue.resume(fine!.id);
        await waitFor('the retried file', () => allIn(engine, [fine!.id], ['done']));
        const after = (await documentsOf(w, token, patientId)).filter(
          (d) => d.fileName === 'fine.jpg',
        );
        expect(after).toHaveLength(1);
      } finally {
        await engine.close();
      }
    },
  );

  it.runIf(backend.storage === 'local')(
    'reopens a queue whose journal a crash tore, and names a damaged one',
    async () => {
      const patientId = w.a.patients[0]!;
      const bytes = await jpeg(640, 480);
      const item = await stage(staging.dir, bytes, {
        fileName: 'after-power-cut.jpg',
        contentType: 'image/jpeg',
        patientId,
      });
      const shared = tempDir('medaius-queue-');
      try {
        const before = await startEngine(w.url, token, { dir: shared.dir });
        const [q] = await before.queue.enqueue([item]);
        await before.queue.pause(q!.id);
        await before.close();
        // Power went while a record was being written: half a line at the end.
        appendFileSync(path.join(shared.dir, 'queue.journal'), '{"op":"set","changes":[{"id":"');

        const after = await startEngine(w.url, token, { dir: shared.dir });
        try {
          expect(after.queue.list().map((i) => [i.id, i.state])).toEqual([[q!.id, 'paused']]);
          await after.queue.resume(q!.id);
          await waitFor('the file to be saved', () => allIn(after, [q!.id], ['done']));
        } finally {
          await after.close();
        }
        const docs = await documentsOf(w, token, patientId);
        expect(docs.filter((d) => d.fileName === 'after-power-cut.jpg')).toHaveLength(1);

        const damaged = path.join(shared.dir, 'queue.journal');
        writeFileSync(damaged, 'not json\n{"op":"drop","id":"x"}\n');
        const queue = createUploadQueue({
          dir: shared.dir,
          api: createApiHttp({ baseUrl: w.url, token: () => token, fetch }),
          releaseStaged: async () => undefined,
        });
        await expect(queue.start()).rejects.toThrow(`${damaged} is damaged at line 1`);
      } finally {
        shared.remove();
      }
    },
  );
});
