// A hot folder a scanner saves into, with real files written the way scanners write them: a
// JPEG arriving in chunks over two seconds must be taken once, only when complete, and moved to
// processed/; the same page saved again is recognised as a duplicate; a file that is not a
// document stays where it is and is reported.
import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IngestEvent } from '../../../src/main/services/ingest/index.js';
import { jpeg } from '../../support/files.js';
import { openWorld, stagedNames, type World } from '../../unit/ingest/harness.js';

let folder: string;
let world: World;
let watching: { close(): Promise<void> } | undefined;

beforeEach(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'medaius-hot-'));
  world = await openWorld();
});
afterEach(async () => {
  await watching?.close();
  watching = undefined;
  await world.close();
  await rm(folder, { recursive: true, force: true });
});

type HotFolderEvent = Extract<IngestEvent, { type: 'hot-folder' }>;
const hotFolderEvents = (): HotFolderEvent[] =>
  world.events.filter((e): e is HotFolderEvent => e.type === 'hot-folder');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, check: () => T | undefined, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Writes `bytes` in `chunks` pieces spread over `durationMs`, as a slow scanner does. */
async function writeSlowly(file: string, bytes: Buffer, chunks: number, durationMs: number) {
  const handle = await open(file, 'w');
  try {
    const size = Math.ceil(bytes.length / chunks);
    for (let i = 0; i < chunks; i++) {
      // No fsync between chunks, as scanners do not: on a busy disk one can take longer than
      // the pause a hot folder waits for, which is a stalled writer, not a slow one.
      await handle.write(bytes.subarray(i * size, (i + 1) * size));
      // Nothing may be taken while the file is still growing.
      expect(world.service.listItems()).toEqual([]);
      await sleep(durationMs / chunks);
    }
  } finally {
    await handle.close();
  }
}

describe('hot folders', () => {
  it('takes a slowly written scan once, when complete, and moves it to processed/', async () => {
    watching = await world.service.watchFolder({ dir: folder });
    const page = await jpeg(1600, 1200);
    await writeSlowly(path.join(folder, 'scan0001.jpg'), page, 10, 2000);

    const event = await until('the scan to be taken', () => hotFolderEvents()[0]);
    expect(event).toMatchObject({ folder, fileName: 'scan0001.jpg', outcome: 'added' });
    const items = world.service.listItems();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ source: 'hot-folder', originalName: 'scan0001.jpg' });
    expect(items[0]!.file.size).toBe(page.length);
    const staged = path.join(
      world.root,
      'staging',
      items[0]!.file.sha256.slice(0, 2),
      `${items[0]!.file.sha256}.jpg`,
    );
    expect((await readFile(staged)).equals(page)).toBe(true);
    expect(await readdir(folder)).toEqual(['processed']);
    expect((await readFile(path.join(folder, 'processed', 'scan0001.jpg'))).equals(page)).toBe(
      true,
    );
    // Watching on does not take it again.
    await sleep(1500);
    expect(hotFolderEvents()).toHaveLength(1);
  });

  it('recognises the same page saved again, and never overwrites in processed/', async () => {
    watching = await world.service.watchFolder({
      dir: folder,
      processedDir: path.join(folder, 'done'),
    });
    const page = await jpeg(800, 600);
    await writeFile(path.join(folder, 'scan.jpg'), page);
    await until('the first copy', () => hotFolderEvents()[0]);
    await writeFile(path.join(folder, 'scan.jpg'), page);
    const second = await until('the second copy', () => hotFolderEvents()[1]);

    const first = world.service.listItems()[0]!;
    expect(second).toMatchObject({ outcome: 'duplicate', itemId: first.id });
    expect(world.service.listItems()).toHaveLength(1);
    expect((await readdir(path.join(folder, 'done'))).sort()).toEqual(['scan (1).jpg', 'scan.jpg']);
    expect((await stagedNames(world.root)).filter((n) => n.endsWith('.jpg'))).toHaveLength(
      // the page and its thumbnail
      2,
    );
  });

  it('leaves a file it cannot accept where it is and reports it once', async () => {
    watching = await world.service.watchFolder({ dir: folder });
    await writeFile(path.join(folder, 'fax.pdf'), await jpeg(400, 300));
    await writeFile(path.join(folder, '.scanner-state'), 'busy');
    await writeFile(path.join(folder, 'scan0002.jpg.part'), await jpeg(400, 300));
    await mkdir(path.join(folder, 'archive'));
    const event = await until('the rejection', () => hotFolderEvents()[0]);
    expect(event).toMatchObject({
      fileName: 'fax.pdf',
      outcome: 'rejected',
      reason: expect.stringMatching(/^fax\.pdf: it is named \.pdf but the content is a JPEG/),
    });
    await sleep(1500);
    expect(hotFolderEvents()).toHaveLength(1);
    expect((await readdir(folder)).sort()).toEqual([
      '.scanner-state',
      'archive',
      'fax.pdf',
      'processed',
      'scan0002.jpg.part',
    ]);
    expect(world.service.listItems()).toEqual([]);
  });
});
