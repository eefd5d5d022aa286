// The staging store and filing, as the rest of the app relies on them: the same file is kept
// once, staged bytes disappear only when neither the inbox nor the upload queue needs them, and
// filing hands the queue the right entry and only then lets the item leave the inbox — also
// when the process dies half-way through filing.
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openIngestService, type InboxItem } from '../../../src/main/services/ingest/index.js';
import { sha256 } from '../../support/files.js';
import { ensureFixtures, type Fixtures } from '../../fixtures/make-fixtures.js';
import { openWorld, stagedNames, type World } from '../../unit/ingest/harness.js';

const PATIENT = '9b2f4c1d-6e3a-4b5c-8d7e-1f2a3b4c5d6e';
const ENCOUNTER = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';

let fixtures: Fixtures;
let scratch: string;
let world: World;

beforeAll(async () => {
  fixtures = await ensureFixtures();
  scratch = await mkdtemp(path.join(tmpdir(), 'medaius-staging-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});
afterEach(async () => {
  await world?.close();
});

async function add(file: string): Promise<InboxItem> {
  const report = await world.service.ingestPaths([file]);
  expect(report.rejected).toEqual([]);
  return report.added[0]!;
}

const thumbnailName = (item: InboxItem): string => {
  if (item.thumbnail.status !== 'ready') throw new Error('no thumbnail');
  return `${item.thumbnail.file.sha256}.jpg`;
};

describe('staging', () => {
  it('keeps one copy of the same file however it arrives', async () => {
    world = await openWorld();
    const copy = path.join(scratch, 'copy of chart.png');
    await copyFile(fixtures.png, copy);
    const first = await world.service.ingestPaths([fixtures.png]);
    const second = await world.service.ingestPaths([copy]);
    const item = first.added[0]!;
    expect(second.added).toEqual([]);
    expect(second.duplicates).toEqual([
      { path: copy, fileName: 'copy of chart.png', itemId: item.id },
    ]);
    const hash = sha256(await readFile(fixtures.png));
    expect(item.file.sha256).toBe(hash);
    expect(await stagedNames(world.root)).toEqual([`${hash}.png`, thumbnailName(item)].sort());
  });

  it('releases bytes only when neither the inbox nor the upload queue needs them', async () => {
    world = await openWorld();
    const item = await add(fixtures.png);
    const hash = item.file.sha256;
    expect(await world.service.release(hash)).toBe(false);

    await world.service.fileItems({
      patientId: PATIENT,
      category: 'photo',
      items: [{ itemId: item.id }],
    });
    // Filed: out of the inbox, its thumbnail gone, its bytes kept for the queue.
    expect(world.service.listItems()).toEqual([]);
    expect(await stagedNames(world.root)).toEqual([`${hash}.png`]);
    expect(await world.service.release(hash)).toBe(false);

    world.queue.finish(hash);
    expect(await world.service.release(hash)).toBe(true);
    expect(await stagedNames(world.root)).toEqual([]);
    expect(await world.service.release(hash)).toBe(false);
  });

  it('sweeps away bytes a crash left without an owner, and nothing else', async () => {
    world = await openWorld();
    const item = await add(fixtures.png);
    const orphan = path.join(world.root, 'staging', 'ab', `${'ab'.repeat(32)}.pdf`);
    await mkdir(path.dirname(orphan), { recursive: true });
    await copyFile(fixtures.scannedPdf, orphan);
    expect(await world.service.sweep()).toBe(1);
    expect(await stagedNames(world.root)).toEqual(
      [`${item.file.sha256}.png`, thumbnailName(item)].sort(),
    );
  });
});

describe('filing', () => {
  it('hands the upload queue one entry per item, then removes the items', async () => {
    world = await openWorld();
    const photo = await add(fixtures.rotatedJpeg);
    const letter = await add(fixtures.scannedPdf);
    const filed = await world.service.fileItems({
      patientId: PATIENT,
      encounterId: ENCOUNTER,
      category: 'clinical-note',
      documentDate: '2024-03-18',
      items: [
        { itemId: photo.id, category: 'photo', title: 'Wound, day 3' },
        { itemId: letter.id },
      ],
    });

    expect(world.queue.batches).toEqual([{ batchId: filed.batchId, entries: filed.entries }]);
    expect(filed.entries).toEqual([
      {
        fileName: 'photo-orientation6.jpg',
        contentType: 'image/jpeg',
        size: (await readFile(fixtures.rotatedJpeg)).length,
        sha256: sha256(await readFile(fixtures.rotatedJpeg)),
        stagedPath: path.join(
          world.root,
          'staging',
          photo.file.sha256.slice(0, 2),
          `${photo.file.sha256}.jpg`,
        ),
        patientId: PATIENT,
        encounterId: ENCOUNTER,
        category: 'photo',
        title: 'Wound, day 3',
        documentDate: '2024-03-18',
        source: 'desktop',
      },
      expect.objectContaining({
        fileName: 'scanned-letter.pdf',
        contentType: 'application/pdf',
        sha256: letter.file.sha256,
        category: 'clinical-note',
        title: 'scanned-letter',
        documentDate: '2024-03-18',
      }),
    ]);
    expect(world.service.listItems()).toEqual([]);
    expect(world.events.filter((e) => e.type === 'inbox-changed').at(-1)).toEqual({
      type: 'inbox-changed',
      changed: [],
      removed: [photo.id, letter.id],
    });
    // What stays in staging is exactly what the queue will upload.
    expect(await stagedNames(world.root)).toEqual(
      [`${photo.file.sha256}.jpg`, `${letter.file.sha256}.pdf`].sort(),
    );
    expect((await world.restart()).listItems()).toEqual([]);
  });

  it('keeps the items in the inbox when the queue refuses them', async () => {
    world = await openWorld();
    const item = await add(fixtures.png);
    world.queue.failWith = new Error('the queue file is read-only');
    await expect(
      world.service.fileItems({
        patientId: PATIENT,
        category: 'photo',
        items: [{ itemId: item.id }],
      }),
    ).rejects.toMatchObject({
      code: 'enqueue_failed',
      message:
        'The upload queue did not take "chart.png": the queue file is read-only. Nothing was lost: file again from the inbox.',
    });
    expect(world.service.listItems()).toEqual([item]);
    expect((await world.restart()).listItems()).toEqual([item]);
  });

  it('refuses filing details the server would refuse, before anything is queued', async () => {
    world = await openWorld();
    const item = await add(fixtures.png);
    await expect(
      world.service.fileItems({
        patientId: 'not-a-patient',
        category: 'photo',
        items: [{ itemId: item.id }],
      }),
    ).rejects.toMatchObject({ code: 'invalid_request', message: /patientId/ });
    expect(world.queue.batches).toEqual([]);
  });

  it('after a crash during filing, finishes what the queue took and returns the rest', async () => {
    world = await openWorld();
    const taken = await add(fixtures.png);
    const lost = await add(fixtures.tiff);
    // The process dies inside enqueue: the queue has the first entry, not the second.
    world.queue.dieAfter = 1;
    void world.service.fileItems({
      patientId: PATIENT,
      category: 'photo',
      items: [{ itemId: taken.id }, { itemId: lost.id }],
    });
    await until(() => world.queue.batches.length === 1);
    const files = await readdir(path.join(world.root, 'inbox'));
    const states = await Promise.all(
      files.map(async (f) => JSON.parse(await readFile(path.join(world.root, 'inbox', f), 'utf8'))),
    );
    expect(states.map((s) => s.filing.state)).toEqual(['filing', 'filing']);

    // A second process opening the same folder is what the next start looks like.
    const next = await openIngestService({
      root: world.root,
      enqueue: world.queue.enqueue,
      isQueued: world.queue.isQueued,
    });
    const items = next.listItems();
    expect(items.map((i) => i.id)).toEqual([lost.id]);
    expect(items[0]!.filing).toBeUndefined();
    expect(items[0]!.problems).toEqual([
      'Filing was interrupted before the upload queue took this item. File it again.',
    ]);
    await next.close();
  });

  it('deletes no staged bytes while opening, even before the queue knows its entries', async () => {
    world = await openWorld();
    const taken = await add(fixtures.png);
    world.queue.dieAfter = 1;
    void world.service.fileItems({
      patientId: PATIENT,
      category: 'photo',
      items: [{ itemId: taken.id }],
    });
    await until(() => world.queue.batches.length === 1);
    // The crash came after "filed" was written; the queue has the entry but has not loaded it.
    const file = path.join(world.root, 'inbox', `${taken.id}.json`);
    const record = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(
      file,
      JSON.stringify({ ...record, filing: { ...record.filing, state: 'filed' } }),
    );
    const next = await openIngestService({
      root: world.root,
      enqueue: world.queue.enqueue,
      isQueued: () => false,
    });
    expect(next.listItems()).toEqual([]);
    expect(await stagedNames(world.root)).toContain(`${taken.file.sha256}.png`);
    await next.close();
  });

  it('sets aside an item file it cannot read, and says which', async () => {
    world = await openWorld();
    const item = await add(fixtures.png);
    const broken = path.join(world.root, 'inbox', '0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b.json');
    await writeFile(broken, '{"id": "0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b", "source": "dr');
    const next = await openIngestService({
      root: world.root,
      enqueue: world.queue.enqueue,
      isQueued: world.queue.isQueued,
    });
    expect(next.listItems().map((i) => i.id)).toEqual([item.id]);
    expect(next.openProblems).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: it is not valid JSON .*set aside as .*\\.json\\.damaged`,
        ),
      ),
    ]);
    expect((await readdir(path.join(world.root, 'inbox'))).sort()).toEqual(
      [`${item.id}.json`, '0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b.json.damaged'].sort(),
    );
    await next.close();
  });
});

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
