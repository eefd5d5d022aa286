// Page operations before filing — rotate, reorder, delete, split, merge — checked on the PDFs
// that reach the upload queue: the right pages in the right order and orientation, and each
// page's JPEG byte for byte the one that was scanned (nothing re-encoded). Pages that look
// blank are flagged and still filed unless the user deletes them.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { PDFRawStream } from 'pdf-lib';
import { PDFDict, PDFDocument, PDFName } from 'pdf-lib';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InboxItem, QueueEntry } from '../../../src/main/services/ingest/index.js';
import { sha256 } from '../../support/files.js';
import { ensureFixtures, type Fixtures } from '../../fixtures/make-fixtures.js';
import { openWorld, type World } from '../../unit/ingest/harness.js';

const run = promisify(execFile);
const PATIENT = '3d0a5a43-2b8e-4f61-9d0c-7b1e2f3a4c5d';

let fixtures: Fixtures;
let scratch: string;
let world: World;
/** The JPEG of each page of the three-page scanned letter, as img2pdf stored it. */
let letterImages: Buffer[];
/** letter, with a blank sheet (paper grain only) between pages 1 and 2 */
let withBlank: string;

beforeAll(async () => {
  fixtures = await ensureFixtures();
  scratch = await mkdtemp(path.join(tmpdir(), 'medaius-pages-'));
  letterImages = (await pagesOf(await readFile(fixtures.scannedPdf))).map((p) => p.image);
  const blank = path.join(scratch, 'blank.jpg');
  await sharp({
    create: {
      width: 850,
      height: 1100,
      channels: 3,
      background: '#f4f1ea',
      noise: { type: 'gaussian', mean: 238, sigma: 5 },
    },
  })
    .jpeg({ quality: 85 })
    .toFile(blank);
  withBlank = path.join(scratch, 'with-blank.pdf');
  await run('img2pdf', [fixtures.scannedPage1, blank, fixtures.scannedPage1, '-o', withBlank]);
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});
afterEach(async () => {
  await world?.close();
});

interface PdfPage {
  rotation: number;
  image: Buffer;
  filter: string;
}

/** Each page's rotation and the bytes of the one image it draws. */
async function pagesOf(bytes: Uint8Array): Promise<PdfPage[]> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  return doc.getPages().map((page) => {
    const xobjects = page.node.Resources()!.lookup(PDFName.of('XObject'), PDFDict);
    const image = xobjects.lookup(xobjects.keys()[0]!) as PDFRawStream;
    return {
      rotation: page.getRotation().angle,
      image: Buffer.from(image.contents),
      filter: String(image.dict.get(PDFName.of('Filter'))),
    };
  });
}

async function add(file: string): Promise<InboxItem> {
  const report = await world.service.ingestPaths([file]);
  expect(report.rejected).toEqual([]);
  return report.added[0]!;
}

async function file(item: InboxItem): Promise<{ entry: QueueEntry; pages: PdfPage[] }> {
  const { entries } = await world.service.fileItems({
    patientId: PATIENT,
    category: 'referral',
    items: [{ itemId: item.id }],
  });
  const entry = entries[0]!;
  const bytes = await readFile(entry.stagedPath);
  expect(sha256(bytes)).toBe(entry.sha256);
  expect(bytes.length).toBe(entry.size);
  return { entry, pages: await pagesOf(bytes) };
}

const ids = (item: InboxItem): string[] => item.pages!.map((p) => p.id);

describe('page operations', () => {
  it('rotate and reorder give a new PDF with the same JPEG bytes, turned and in order', async () => {
    world = await openWorld();
    const letter = await add(fixtures.scannedPdf);
    const [p1, p2, p3] = ids(letter);
    await world.service.rotatePages(letter.id, [p2!], 90);
    const reordered = await world.service.reorderPages(letter.id, [p3!, p1!, p2!]);
    expect(reordered.pages!.map((p) => [p.index, p.rotation])).toEqual([
      [2, 0],
      [0, 0],
      [1, 90],
    ]);
    expect(reordered.thumbnail).toEqual(reordered.pages![0]!.thumbnail);

    const { entry, pages } = await file(reordered);
    expect(entry).toMatchObject({
      fileName: 'scanned-letter.pdf',
      contentType: 'application/pdf',
      title: 'scanned-letter',
    });
    expect(entry.sha256).not.toBe(letter.file.sha256);
    expect(pages.map((p) => p.rotation)).toEqual([0, 0, 90]);
    expect(pages.map((p) => p.filter)).toEqual(['/DCTDecode', '/DCTDecode', '/DCTDecode']);
    expect(pages[0]!.image.equals(letterImages[2]!)).toBe(true);
    expect(pages[1]!.image.equals(letterImages[0]!)).toBe(true);
    expect(pages[2]!.image.equals(letterImages[1]!)).toBe(true);
    // The scanned JPEG itself, not only what the source PDF held.
    expect(pages[1]!.image.equals(await readFile(fixtures.scannedPage1))).toBe(true);
  });

  it("adds the user's turn to a page's own /Rotate", async () => {
    world = await openWorld();
    const rotated = await add(fixtures.rotatedPdf);
    const [first, second] = ids(rotated);
    await world.service.rotatePages(rotated.id, [first!], 90);
    await world.service.rotatePages(rotated.id, [second!], -90);
    const { pages } = await file(world.service.getItem(rotated.id)!);
    expect(pages.map((p) => p.rotation)).toEqual([180, 270, 0]);
  });

  it('deletes pages, but not the last one', async () => {
    world = await openWorld();
    const letter = await add(fixtures.scannedPdf);
    const [p1, p2, p3] = ids(letter);
    const shorter = await world.service.deletePages(letter.id, [p2!]);
    await expect(world.service.deletePages(letter.id, [p1!, p3!])).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/every page.*Remove the item instead/),
    });
    const { pages } = await file(shorter);
    expect(pages.map((p) => p.image)).toEqual([letterImages[0], letterImages[2]]);
  });

  it('splits one scan into several documents', async () => {
    world = await openWorld();
    const letter = await add(fixtures.scannedPdf);
    const [, p2] = ids(letter);
    const parts = await world.service.splitItem(letter.id, [p2!]);
    expect(parts.map((p) => p.originalName)).toEqual([
      'scanned-letter (1 of 2).pdf',
      'scanned-letter (2 of 2).pdf',
    ]);
    expect(world.service.getItem(letter.id)).toBeUndefined();
    expect(world.service.listItems().map((i) => i.id)).toEqual(parts.map((p) => p.id));
    const first = await file(parts[0]!);
    const second = await file(parts[1]!);
    expect(first.entry.fileName).toBe('scanned-letter (1 of 2).pdf');
    expect(first.pages.map((p) => p.image)).toEqual([letterImages[0]]);
    expect(second.pages.map((p) => p.image)).toEqual([letterImages[1], letterImages[2]]);
  });

  it('merges several items into one, pages in the order the items were chosen', async () => {
    world = await openWorld();
    const letter = await add(fixtures.scannedPdf);
    const rotated = await add(fixtures.rotatedPdf);
    const merged = await world.service.mergeItems([rotated.id, letter.id]);
    expect(merged.originalName).toBe('scanned-rotated.pdf');
    expect(world.service.listItems().map((i) => i.id)).toEqual([merged.id]);
    // The letter's pages live on in the merged item: dropping the letter again is a duplicate.
    const again = await world.service.ingestPaths([fixtures.scannedPdf]);
    expect(again.duplicates.map((d) => d.itemId)).toEqual([merged.id]);
    const { pages } = await file(merged);
    expect(pages).toHaveLength(6);
    expect(pages.map((p) => p.rotation)).toEqual([90, 0, 0, 0, 0, 0]);
    expect(pages.slice(3).map((p) => p.image)).toEqual(letterImages);
  });

  it('files an unedited PDF as the original bytes', async () => {
    world = await openWorld();
    const letter = await add(fixtures.scannedPdf);
    const { entry } = await file(letter);
    expect(entry.sha256).toBe(sha256(await readFile(fixtures.scannedPdf)));
  });

  it('flags a blank sheet for review and files it unless the user deletes it', async () => {
    world = await openWorld();
    const item = await add(withBlank);
    expect(item.pages!.map((p) => p.blank)).toEqual([false, true, false]);
    const { pages } = await file(item);
    expect(pages).toHaveLength(3);
  });

  it('explains why a picture has no pages to edit, and refuses nonsense orders', async () => {
    world = await openWorld();
    const photo = await add(fixtures.png);
    await expect(world.service.rotatePages(photo.id, ['x'], 90)).rejects.toMatchObject({
      code: 'not_editable',
      message: '"chart.png" is a PNG image; only PDFs and scans have pages to edit.',
    });
    const letter = await add(fixtures.scannedPdf);
    const [p1, p2] = ids(letter);
    await expect(world.service.reorderPages(letter.id, [p2!, p1!])).rejects.toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/must list each of its 3 pages once/),
    });
    await expect(world.service.splitItem(letter.id, [p1!])).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });
});
