// The front desk's whole path through the IPC contract, as the renderer drives it: the headless
// desktop services (the real ingest inbox, SANE's test scanner through scanimage, the durable
// upload queue) served over the local WebSocket, used through the browser-side client, against
// the real companion API. What a user would notice: dropped files and sent bytes land in the
// inbox, refused files are named with their reason, pages can be edited, scanned pages show up
// while the feeder is still running, a filing of three items becomes three documents, a change of
// upload concurrency applies at once, and a failed upload can be tried again.
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startHeadless, type HeadlessMain } from '../../../src/main/headless.js';
import {
  connectWebSocketApi,
  type SocketConstructor,
  type WebSocketApi,
} from '../../../src/renderer/src/lib/ws-api.js';
import type { InboxItem } from '../../../src/shared/ingest/model.js';
import type { UploadEvent, UploadItem } from '../../../src/shared/ipc/contract.js';
import { MAX_INGEST_BYTES_PER_CALL } from '../../../src/shared/ipc/ingest.js';
import { RemoteError } from '../../../src/shared/ipc/wire.js';
import { jpeg, pdf, sha256 } from '../../support/files.js';
import { createWorld, PASSWORD, type World } from '../../support/world.js';
import { temporaryDir, TEST_SECRETS_ENV } from '../../unit/main/fixtures.js';
import { documentsOf, downloadedSha256, waitFor } from './upload-harness.js';

const Socket = WebSocket as unknown as SocketConstructor;

let world: World;
let scratch: string;
let saneConfigBefore: string | undefined;

beforeAll(async () => {
  world = await createWorld('sqlite', { listen: true });
  scratch = await mkdtemp(path.join(tmpdir(), 'medaius-ingest-ipc-'));
  // scanimage reads SANE_CONFIG_DIR from main's environment: only the test backend is asked.
  const config = path.join(scratch, 'sane.d');
  await mkdir(config);
  await writeFile(path.join(config, 'dll.conf'), 'test\n');
  await copyFile('/etc/sane.d/test.conf', path.join(config, 'test.conf'));
  saneConfigBefore = process.env.SANE_CONFIG_DIR;
  process.env.SANE_CONFIG_DIR = config;
});
afterAll(async () => {
  if (saneConfigBefore === undefined) delete process.env.SANE_CONFIG_DIR;
  else process.env.SANE_CONFIG_DIR = saneConfigBefore;
  await rm(scratch, { recursive: true, force: true });
  await world?.close();
});

let folder: ReturnType<typeof temporaryDir>;
let headless: HeadlessMain;
let api: WebSocketApi;
/** every inbox snapshot and upload event main pushed to this client, in order */
let snapshots: InboxItem[][];
let uploadEvents: UploadEvent[];

beforeEach(async () => {
  folder = temporaryDir('medaius-headless-ingest-');
  headless = await startHeadless({
    env: { ...TEST_SECRETS_ENV, MEDAIUS_API_URL: world.url(), MEDAIUS_DATA_DIR: folder.dir },
  });
  api = await connectWebSocketApi(headless.url, Socket);
  snapshots = [];
  uploadEvents = [];
  api.onInboxChanged(({ items }) => snapshots.push(items));
  api.onUploadsChanged((event) => uploadEvents.push(event));
  const signedIn = await api.signIn({
    email: world.a.users['front-desk'].email,
    password: PASSWORD,
  });
  expect(signedIn.ok).toBe(true);
});
afterEach(async () => {
  api.close();
  await headless.close();
  folder.remove();
});

/** A file on disk, as a user would drop it. */
async function onDisk(name: string, bytes: Buffer): Promise<string> {
  const dir = await mkdtemp(path.join(scratch, 'drop-'));
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  return file;
}

const base64 = (bytes: Buffer): string => bytes.toString('base64');
const names = (items: { originalName: string }[]): string[] =>
  items.map((i) => i.originalName).sort();
const stagedPath = (item: InboxItem): string =>
  path.join(
    folder.dir,
    'ingest',
    'staging',
    item.file.sha256.slice(0, 2),
    `${item.file.sha256}.${item.file.ext}`,
  );

/** The last state of each upload item main announced. */
function uploadItems(): Map<string, UploadItem> {
  const items = new Map<string, UploadItem>();
  for (const event of uploadEvents) {
    if (event.type === 'item') items.set(event.item.id, event.item);
    if (event.type === 'removed') items.delete(event.id);
  }
  return items;
}

function uploadsOf(batchId: string): UploadItem[] {
  return [...uploadItems().values()].filter((item) => item.batchId === batchId);
}

/** Most items announced as 'uploading' at the same time, over the events of these batches. */
function mostUploadingAtOnce(batchIds: readonly string[]): number {
  const uploading = new Set<string>();
  let most = 0;
  for (const event of uploadEvents) {
    if (event.type !== 'item' || !batchIds.includes(event.item.batchId ?? '')) continue;
    if (event.item.state === 'uploading') uploading.add(event.item.id);
    else uploading.delete(event.item.id);
    most = Math.max(most, uploading.size);
  }
  return most;
}

async function ingestJpegs(count: number, width: number): Promise<InboxItem[]> {
  const files = await Promise.all(
    Array.from({ length: count }, async (_, i) => ({
      name: `photo-${width}-${i + 1}.jpg`,
      data: base64(await jpeg(width + i, 120)),
    })),
  );
  const report = await api.ingestFiles({ files });
  expect(report.rejected).toEqual([]);
  return report.added;
}

describe('ingest over IPC', () => {
  it('adds dropped paths and sent bytes, and names every refused file with its reason', async () => {
    const letter = await pdf(2, 'Referral letter');
    const photo = await jpeg(640, 480);
    const jobId = '5f0c6a1e-2b7d-4c8e-9a3f-1d2e3f4a5b6c';
    const progress: { jobId: string; done: number; total: number; fileName?: string }[] = [];
    api.onIngestProgress((event) => progress.push(event));

    const dropped = await api.ingestPaths({
      paths: [
        await onDisk('referral.pdf', letter),
        // JPEG bytes under a PDF's name: the content decides, and the name is what the user sees.
        await onDisk('lab-results.pdf', photo),
      ],
      jobId,
    });
    expect(dropped).toMatchObject({ jobId, cancelled: false, skipped: 0, duplicates: [] });
    expect(names(dropped.added)).toEqual(['referral.pdf']);
    expect(dropped.rejected).toEqual([
      expect.objectContaining({
        fileName: 'lab-results.pdf',
        code: 'type_mismatch',
        reason: expect.stringMatching(/^lab-results\.pdf: .*JPEG/),
      }),
    ]);
    await waitFor('progress for both files', () =>
      progress.find((p) => p.jobId === jobId && p.done === 2 && p.total === 2),
    );
    expect(progress.at(-1)!.fileName).toMatch(/^(referral|lab-results)\.pdf$/);

    // The browser transport has no paths: bytes, under names that must not escape the scratch folder.
    const sent = await api.ingestFiles({
      files: [
        { name: 'wound photo.jpg', data: base64(photo) },
        { name: '../../outside/evil:name?.pdf', data: base64(await pdf(1, 'Consent')) },
        { name: 'setup.exe', data: base64(Buffer.from('MZ\x90\x00\x03 not a document', 'latin1')) },
      ],
    });
    expect(names(sent.added)).toEqual(['evil_name_.pdf', 'wound photo.jpg']);
    expect(sent.rejected).toEqual([
      expect.objectContaining({
        path: 'setup.exe',
        fileName: 'setup.exe',
        code: 'executable',
        reason: expect.stringMatching(/^setup\.exe: /),
      }),
    ]);
    const written = await readdir(folder.dir, { recursive: true });
    expect(written.filter((f) => f.includes('outside') || f.includes('evil'))).toEqual([]);
    expect(await readdir(path.join(folder.dir, 'ingest', 'staging', 'tmp'))).toEqual([]);

    // The same bytes again are recognised, whichever way they come.
    const again = await api.ingestFiles({ files: [{ name: 'copy.pdf', data: base64(letter) }] });
    expect(again.added).toEqual([]);
    expect(again.duplicates).toEqual([
      { path: 'copy.pdf', fileName: 'copy.pdf', itemId: dropped.added[0]!.id },
    ]);

    const { items } = await api.listInbox();
    expect(names(items)).toEqual(['evil_name_.pdf', 'referral.pdf', 'wound photo.jpg']);
    await waitFor('the inbox snapshot with all three items', () =>
      snapshots.find((s) => s.length === 3),
    );

    const referral = items.find((i) => i.originalName === 'referral.pdf')!;
    expect(referral.thumbnail.status).toBe('ready');
    const sha = referral.thumbnail.status === 'ready' ? referral.thumbnail.file.sha256 : '';
    const { dataUrl } = await api.getInboxThumbnail({ sha256: sha });
    const picture = Buffer.from(dataUrl.replace(/^data:image\/jpeg;base64,/, ''), 'base64');
    expect(await sharp(picture).metadata()).toMatchObject({ format: 'jpeg' });
  });

  it('refuses input the contract does not take, before anything is read', async () => {
    const refusal = (call: Promise<unknown>) =>
      call.then(
        () => undefined,
        (e: unknown) => e,
      );

    const relative = await refusal(api.ingestPaths({ paths: ['scans/letter.pdf'] }));
    expect(relative).toBeInstanceOf(RemoteError);
    expect(relative).toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(
        /^Invalid input for ingest:add-paths: paths\.0: Use a full path/,
      ),
    });
    const notBase64 = await refusal(
      api.ingestFiles({ files: [{ name: 'scan.pdf', data: 'this is not base64!' }] }),
    );
    expect(notBase64).toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining("scan.pdf: send the file's bytes as base64"),
    });
    // One byte-triple over the limit still travels, and comes back refused in words, not as a
    // closed connection.
    const tooBig = 'A'.repeat(Math.ceil((MAX_INGEST_BYTES_PER_CALL + 3) / 3) * 4);
    const oversized = await refusal(
      api.ingestFiles({ files: [{ name: 'ct-series.zip', data: tooBig }] }),
    );
    expect(oversized).toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining(
        'ct-series.zip is 64.1 MB; send at most 64 MB of file bytes per call',
      ),
    });
    const badTurn = await refusal(
      api.rotatePages({
        itemId: '6d8f1c2a-3b4e-4f5a-8b6c-7d8e9f0a1b2c',
        pageIds: ['7e9f2d3b-4c5f-4a6b-9c7d-8e9f0a1b2c3d'],
        turn: 45 as never,
      }),
    );
    expect(badTurn).toMatchObject({ code: 'invalid_input' });
    expect((await api.listInbox()).items).toEqual([]);
  }, 120_000);

  it('rotates, reorders, splits, merges and deletes pages, and removes items', async () => {
    const report = await api.ingestFiles({
      files: [{ name: 'letters.pdf', data: base64(await pdf(3, 'Letter')) }],
    });
    const item = report.added[0]!;
    const [p1, p2, p3] = item.pages!.map((p) => p.id) as [string, string, string];

    const rotated = await api.rotatePages({ itemId: item.id, pageIds: [p2], turn: 90 });
    expect(rotated.pages!.map((p) => p.rotation)).toEqual([0, 90, 0]);
    const reordered = await api.reorderPages({ itemId: item.id, pageIds: [p3, p1, p2] });
    expect(reordered.pages!.map((p) => p.id)).toEqual([p3, p1, p2]);

    const parts = await api.splitItem({ itemId: item.id, startPageIds: [p1] });
    expect(parts.map((p) => [p.originalName, p.pages!.length])).toEqual([
      ['letters (1 of 2).pdf', 1],
      ['letters (2 of 2).pdf', 2],
    ]);
    const merged = await api.mergeItems({ itemIds: parts.map((p) => p.id) });
    expect(merged.pages!.map((p) => p.id)).toEqual([p3, p1, p2]);

    const fewer = await api.deletePages({ itemId: merged.id, pageIds: [p3] });
    expect(fewer.pages!.map((p) => p.id)).toEqual([p1, p2]);
    expect((await api.listInbox()).items.map((i) => i.id)).toEqual([merged.id]);

    // The service's own refusals keep their code and a message that names the item.
    const unknownPage = await api
      .deletePages({ itemId: merged.id, pageIds: [p3] })
      .catch((e: unknown) => e);
    expect(unknownPage).toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('"letters (1 of 2).pdf" has no page'),
    });

    await api.removeItem({ itemId: merged.id });
    expect((await api.listInbox()).items).toEqual([]);
    await waitFor('an empty inbox snapshot', () => snapshots.at(-1)?.length === 0);
  });

  it('scans from the SANE test scanner, each page announced before the feeder is through', async () => {
    const scanners = await api.listScanners();
    expect(scanners.map((s) => s.id)).toEqual(['test:0', 'test:1']);
    expect(await api.getScannerCapabilities({ deviceId: 'test:0' })).toMatchObject({
      sources: ['flatbed', 'feeder'],
    });

    const jobId = '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
    const arrivals: { number: number; at: number }[] = [];
    api.onScanPage((event) => {
      if (event.jobId === jobId) arrivals.push({ number: event.page.number, at: Date.now() });
    });
    const result = await api.scan({
      jobId,
      deviceId: 'test:0',
      source: 'feeder',
      colour: 'gray',
      resolution: 100,
      // About a quarter of a second a page: slow enough to see pages arrive.
      deviceOptions: {
        'test-picture': 'Grid',
        'read-limit': 'yes',
        'read-limit-size': '16384',
        'read-delay': 'yes',
        'read-delay-duration': '50000',
      },
    });
    const finished = Date.now();
    expect(result).toMatchObject({ pagesScanned: 10, cancelled: false });
    expect(result.item!.pages).toHaveLength(10);
    expect(arrivals.map((a) => a.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(arrivals[0]!.at).toBeLessThan(finished - 1000);
    expect((await api.listInbox()).items.map((i) => i.id)).toEqual([result.item!.id]);

    // Stopping mid-feed keeps the pages that were complete, as one item that says so.
    const stopJob = '1c2d3e4f-5a6b-4c7d-9e8f-0a1b2c3d4e5f';
    let asked: Promise<{ cancelled: boolean }> | undefined;
    api.onScanPage((event) => {
      if (event.jobId === stopJob && event.page.number === 2) {
        asked ??= api.cancelIngest({ jobId: stopJob });
      }
    });
    const stopped = await api.scan({
      jobId: stopJob,
      deviceId: 'test:0',
      source: 'feeder',
      colour: 'gray',
      resolution: 100,
      deviceOptions: {
        'test-picture': 'Grid',
        'read-limit': 'yes',
        'read-limit-size': '16384',
        'read-delay': 'yes',
        'read-delay-duration': '50000',
      },
    });
    expect(await asked).toEqual({ cancelled: true });
    expect(stopped.cancelled).toBe(true);
    expect(stopped.pagesScanned).toBeGreaterThanOrEqual(2);
    expect(stopped.pagesScanned).toBeLessThan(10);
    expect(stopped.item!.problems).toEqual([
      `Scanning was stopped after ${stopped.pagesScanned} pages. Check that no page is missing.`,
    ]);
    expect(await api.cancelIngest({ jobId: stopJob })).toEqual({ cancelled: false });
  });
});

describe('hot folders from the settings', () => {
  it('watches a folder from the moment it is saved, and stops when it is taken out', async () => {
    const watched = await mkdtemp(path.join(scratch, 'scanner-out-'));
    await api.updateSettings({ hotFolders: [{ path: watched, processedSubfolder: 'done' }] });
    const first = await pdf(1, 'Lab result');
    await writeFile(path.join(watched, 'lab.pdf'), first);
    await waitFor('the hot-folder file in the inbox', () =>
      snapshots.at(-1)?.find((i) => i.originalName === 'lab.pdf' && i.source === 'hot-folder'),
    );
    await waitFor('the original moved to done/', async () =>
      (await readdir(path.join(watched, 'done'))).includes('lab.pdf'),
    );
    expect(await readdir(watched)).toEqual(['done']);

    await api.updateSettings({ hotFolders: [] });
    await writeFile(path.join(watched, 'later.pdf'), await pdf(1, 'Later'));
    // Well past the time a watched folder takes a finished file (two checks 0.5 s apart).
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect((await readdir(watched)).sort()).toEqual(['done', 'later.pdf']);
    expect((await api.listInbox()).items.map((i) => i.originalName)).toEqual(['lab.pdf']);
  });

  it('tells the user, until dismissed, about a file it could not take and a folder it cannot watch', async () => {
    const heard: string[][] = [];
    api.onNoticesChanged(({ notices }) => heard.push(notices.map((n) => n.message)));
    const watched = await mkdtemp(path.join(scratch, 'fax-out-'));
    await writeFile(path.join(watched, 'fax.pdf'), 'this is not a PDF at all');
    // A file where the folder should be: nothing can be watched or moved there.
    const missing = path.join(scratch, 'scans-is-a-file');
    await writeFile(missing, '');
    await api.updateSettings({
      hotFolders: [
        { path: watched, processedSubfolder: 'done' },
        { path: missing, processedSubfolder: 'done' },
      ],
    });
    const notices = await waitFor('a notice for each problem', async () => {
      const { notices } = await api.listNotices();
      return notices.length >= 2 ? notices : undefined;
    });
    const messages = notices.map((n) => n.message);
    expect(messages).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^The hot folder ${watched} did not take fax\\.pdf: it is named \\.pdf but the content is a plain text file\\. .+\\. It is left there\\.$`,
        ),
      ),
    );
    expect(messages).toContainEqual(expect.stringContaining(missing));
    expect(await readdir(watched)).toContain('fax.pdf');
    expect(heard.at(-1)).toEqual(messages);

    const rest = await api.dismissNotices({ id: notices[0]!.id });
    expect(rest.notices.map((n) => n.message)).toEqual(messages.slice(1));
    expect((await api.dismissNotices({})).notices).toEqual([]);
    expect((await api.listNotices()).notices).toEqual([]);
    await api.updateSettings({ hotFolders: [] });
  });
});

describe('filing and uploading over IPC', () => {
  it('files three items as one batch that becomes three documents on the server', async () => {
    const letter = await pdf(2, 'Referral letter');
    const photo = await jpeg(800, 600);
    const consent = await pdf(1, 'Consent');
    const report = await api.ingestFiles({
      files: [
        { name: 'referral.pdf', data: base64(letter) },
        { name: 'wound.jpg', data: base64(photo) },
        { name: 'consent.pdf', data: base64(consent) },
      ],
    });
    const patientId = world.a.patients[1]!;
    const filing = await api.fileItems({
      patientId,
      category: 'referral',
      items: report.added.map((item) => ({ itemId: item.id })),
    });
    expect(filing.filed.map((f) => f.fileName).sort()).toEqual([
      'consent.pdf',
      'referral.pdf',
      'wound.jpg',
    ]);
    expect((await api.listInbox()).items).toEqual([]);
    await waitFor('the empty inbox announced', () => snapshots.at(-1)?.length === 0);

    await waitFor(
      'three uploads of the batch announced',
      () => uploadsOf(filing.batchId).length === 3,
    );
    const done = await waitFor('all three saved', () => {
      const items = uploadsOf(filing.batchId);
      return items.every((i) => i.state === 'done') && items;
    });
    expect((await api.listUploads()).items.filter((i) => i.batchId === filing.batchId)).toEqual(
      expect.arrayContaining(done.map((i) => expect.objectContaining({ id: i.id, state: 'done' }))),
    );

    const token = await world.login(world.a.users.admin.email);
    const documents = await documentsOf(world, token, patientId);
    const saved = documents.filter((d) => done.some((i) => i.documentId === d.id));
    expect(saved.map((d) => d.fileName).sort()).toEqual([
      'consent.pdf',
      'referral.pdf',
      'wound.jpg',
    ]);
    const wound = saved.find((d) => d.fileName === 'wound.jpg')!;
    expect(await downloadedSha256(world, token, wound.id)).toBe(sha256(photo));
    // Staged bytes go once the server has the documents.
    await waitFor('the staged copies removed', async () => {
      const left = await readdir(path.join(folder.dir, 'ingest', 'staging'), { recursive: true });
      return [letter, photo, consent].every(
        (bytes) => !left.some((f) => f.includes(sha256(bytes))),
      );
    });
  });

  it('applies a change of upload concurrency to the running queue', async () => {
    await api.updateSettings({ uploadConcurrency: 1 });
    const few = await ingestJpegs(5, 300);
    const slow = await api.fileItems({
      patientId: world.a.patients[0]!,
      category: 'photo',
      items: few.map((item) => ({ itemId: item.id })),
    });
    await waitFor('the first batch saved', () => {
      const items = uploadsOf(slow.batchId);
      return items.length === 5 && items.every((i) => i.state === 'done');
    });
    // One part at a time lets two files be under way (one sending, one being set up), not five.
    expect(mostUploadingAtOnce([slow.batchId])).toBeLessThanOrEqual(2);

    await api.updateSettings({ uploadConcurrency: 2 });
    const more = await ingestJpegs(5, 400);
    const fast = await api.fileItems({
      patientId: world.a.patients[0]!,
      category: 'photo',
      items: more.map((item) => ({ itemId: item.id })),
    });
    await waitFor('the second batch saved', () => {
      const items = uploadsOf(fast.batchId);
      return items.length === 5 && items.every((i) => i.state === 'done');
    });
    const most = mostUploadingAtOnce([fast.batchId]);
    expect(most).toBeGreaterThan(2);
    expect(most).toBeLessThanOrEqual(4);
  });

  it('tries a failed upload again once its cause is gone', async () => {
    const letter = await pdf(2, 'Discharge letter');
    const report = await api.ingestFiles({
      files: [{ name: 'discharge.pdf', data: base64(letter) }],
    });
    const item = report.added[0]!;
    // Signed out, the queue keeps the upload waiting; meanwhile its staged copy disappears.
    await api.signOut();
    const filing = await api.fileItems({
      patientId: world.a.patients[2]!,
      category: 'clinical-note',
      items: [{ itemId: item.id }],
    });
    await waitFor('the upload waiting for sign-in', () =>
      uploadsOf(filing.batchId).find((i) => i.state === 'waiting-for-sign-in'),
    );
    const staged = stagedPath(item);
    await rm(staged);
    await api.signIn({ email: world.a.users['front-desk'].email, password: PASSWORD });

    const failed = await waitFor('the upload failed', () =>
      uploadsOf(filing.batchId).find((i) => i.state === 'failed'),
    );
    expect(failed.error).toMatchObject({
      code: 'staged_missing',
      message: expect.stringContaining('discharge.pdf'),
    });

    await writeFile(staged, letter);
    const state = await api.retryUploads({ id: failed.id });
    expect(state.items.find((i) => i.id === failed.id)?.state).not.toBe('failed');
    const done = await waitFor('the retried upload saved', () => {
      const again = uploadItems().get(failed.id);
      return again?.state === 'done' && again;
    });
    const token = await world.login(world.a.users.admin.email);
    const document = (await documentsOf(world, token, world.a.patients[2]!)).find(
      (d) => d.id === done.documentId,
    );
    expect(document).toMatchObject({ fileName: 'discharge.pdf', sha256: sha256(letter) });
    await waitFor(
      'the staged copy removed',
      async () => (await readFile(staged).catch(() => 'gone')) === 'gone',
    );
  });
});
