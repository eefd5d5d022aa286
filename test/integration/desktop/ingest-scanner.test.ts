// Scanning with SANE's own `test` scanner through the real scanimage: the feeder gives ten
// pages, read slowly enough (the device's read-delay options) that pages arrive while the scan
// is still running. What a user would notice: pages appear one by one, the result is one PDF
// item with a thumbnail per page that looks like the paper, white sheets are flagged, and
// stopping half-way leaves exactly the pages that were complete — also after a restart.
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { PDFRawStream } from 'pdf-lib';
import { PDFDict, PDFDocument, PDFName } from 'pdf-lib';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {
  IngestEvent,
  InboxItem,
  ScanRequest,
  ScanimageTool,
} from '../../../src/main/services/ingest/index.js';
import { openWorld, type World } from '../../unit/ingest/harness.js';

const run = promisify(execFile);

let scratch: string;
let world: World;
/** scanimage with SANE's configuration limited to the test backend (two devices). */
let tool: ScanimageTool;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'medaius-sane-'));
  const config = path.join(scratch, 'sane.d');
  await run('mkdir', ['-p', config]);
  await writeFile(path.join(config, 'dll.conf'), 'test\n');
  await copyFile('/etc/sane.d/test.conf', path.join(config, 'test.conf'));
  tool = { command: 'scanimage', env: { ...process.env, SANE_CONFIG_DIR: config } };
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});
afterEach(async () => {
  await world?.close();
});

/** About a quarter of a second a page at 100 dpi: slow enough to see pages arrive. */
const SLOW_READS = {
  'read-limit': 'yes',
  'read-limit-size': '16384',
  'read-delay': 'yes',
  'read-delay-duration': '50000',
};

const feeder = (picture: string, extra: Record<string, string> = {}): ScanRequest => ({
  deviceId: 'test:0',
  source: 'feeder',
  colour: 'gray',
  resolution: 100,
  deviceOptions: { 'test-picture': picture, ...extra },
});

type ScanProgress = Extract<IngestEvent, { type: 'scan-progress' }>;
const progressOf = (events: IngestEvent[]): ScanProgress[] =>
  events.filter((e): e is ScanProgress => e.type === 'scan-progress');

/** Share of dark pixels in a staged thumbnail. */
async function darkShare(item: InboxItem, page: number): Promise<number> {
  const thumbnail = item.pages![page]!.thumbnail;
  if (thumbnail.status !== 'ready') throw new Error(`page ${page + 1}: ${thumbnail.status}`);
  const jpeg = await world.service.readThumbnail(thumbnail.file.sha256);
  const pixels = await sharp(jpeg).greyscale().raw().toBuffer();
  return pixels.filter((v) => v < 128).length / pixels.length;
}

async function stagedPdf(item: InboxItem): Promise<PDFDocument> {
  const entry = path.join(world.root, 'staging', item.file.sha256.slice(0, 2));
  const bytes = await readFile(path.join(entry, `${item.file.sha256}.pdf`));
  return PDFDocument.load(bytes, { updateMetadata: false });
}

function imageOf(doc: PDFDocument, index: number): PDFRawStream {
  const xobjects = doc.getPage(index).node.Resources()!.lookup(PDFName.of('XObject'), PDFDict);
  return xobjects.lookup(xobjects.keys()[0]!) as PDFRawStream;
}

describe('SANE scanners', () => {
  it('lists the scanners SANE reaches and what each offers', async () => {
    world = await openWorld({ scanimage: tool });
    const scanners = await world.service.listScanners();
    expect(scanners.map((s) => s.id)).toEqual(['test:0', 'test:1']);
    expect(scanners[0]).toMatchObject({ vendor: 'Noname', model: 'frontend-tester' });
    const offers = await world.service.scannerCapabilities('test:0');
    expect(offers).toEqual({
      sources: ['flatbed', 'feeder'],
      colours: ['color', 'gray', 'lineart'],
      resolutions: { min: 1, max: 1200 },
    });
  });

  it('scans the feeder into one PDF item, announcing each page as it arrives', async () => {
    world = await openWorld({ scanimage: tool });
    const started = performance.now();
    const arrivals: number[] = [];
    let liveThumbnail: Promise<Buffer> | undefined;
    world.service.subscribe((e) => {
      if (e.type !== 'scan-progress') return;
      arrivals.push(performance.now() - started);
      // The renderer shows each page as it arrives, before the item exists.
      if (e.page.thumbnail.status === 'ready') {
        liveThumbnail ??= world.service.readThumbnail(e.page.thumbnail.file.sha256);
      }
    });
    const result = await world.service.scan(feeder('Grid', SLOW_READS));
    const finished = performance.now() - started;

    expect(result.cancelled).toBe(false);
    expect(result.pagesScanned).toBe(10);
    expect(progressOf(world.events).map((e) => e.pagesScanned)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    // The first page was there well before the feeder was through.
    expect(arrivals[0]!).toBeLessThan(finished - 1000);
    expect((await sharp(await liveThumbnail!).metadata()).format).toBe('jpeg');

    const item = result.item!;
    expect(item).toMatchObject({ source: 'scanner', type: { mime: 'application/pdf' } });
    expect(item.originalName).toMatch(/^Scan \d{4}-\d\d-\d\d \d\d-\d\d-\d\d\.pdf$/);
    expect(item.problems).toEqual([]);
    expect(world.service.listItems().map((i) => i.id)).toEqual([item.id]);
    expect(world.events.at(-1)).toMatchObject({
      type: 'scan-finished',
      pagesScanned: 10,
      itemId: item.id,
    });

    const doc = await stagedPdf(item);
    expect(doc.getPageCount()).toBe(10);
    // 100 dpi: the test device's 80 × 100 mm scan area is 314 × 393 pixels, 226 × 283 points.
    expect(doc.getPage(0).getSize().width).toBeCloseTo((314 * 72) / 100, 1);
    expect(String(imageOf(doc, 0).dict.get(PDFName.of('Filter')))).toBe('/DCTDecode');
    expect(item.pages!.every((p) => p.thumbnail.status === 'ready' && !p.blank)).toBe(true);
    // A grid of black and white squares: about half dark, like the paper.
    expect(await darkShare(item, 0)).toBeGreaterThan(0.3);
    expect(await darkShare(item, 9)).toBeLessThan(0.7);
  });

  it('flags white sheets as blank', async () => {
    world = await openWorld({ scanimage: tool });
    const result = await world.service.scan(feeder('Solid white'));
    expect(result.item!.pages!.map((p) => p.blank)).toEqual(new Array(10).fill(true));
    expect(await darkShare(result.item!, 0)).toBe(0);
  });

  it('scans line art as 1-bit pages that other PDF readers draw the same', async () => {
    world = await openWorld({ scanimage: tool });
    const result = await world.service.scan({
      deviceId: 'test:0',
      source: 'flatbed',
      colour: 'lineart',
      resolution: 150,
      deviceOptions: { 'test-picture': 'Grid' },
    });
    const item = result.item!;
    expect(item.pages).toHaveLength(1);
    const doc = await stagedPdf(item);
    const image = imageOf(doc, 0);
    expect(String(image.dict.get(PDFName.of('Filter')))).toBe('/FlateDecode');
    expect(String(image.dict.get(PDFName.of('BitsPerComponent')))).toBe('1');
    // poppler decodes the PNG-predicted stream on its own; it must show the same grid.
    const pdf = path.join(scratch, 'lineart.pdf');
    await writeFile(pdf, await doc.save());
    const rendered = path.join(scratch, 'lineart');
    await run('pdftoppm', ['-r', '150', '-png', '-singlefile', pdf, rendered]);
    const ours = await sharp(await world.service.readThumbnail(thumbnailSha(item)))
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const theirs = await sharp(`${rendered}.png`)
      .resize(ours.info.width, ours.info.height, { fit: 'fill' })
      .greyscale()
      .raw()
      .toBuffer();
    const difference =
      ours.data.reduce((sum, v, i) => sum + Math.abs(v - theirs[i]!), 0) / ours.data.length;
    expect(difference).toBeLessThan(12);
  });

  it('keeps the complete pages when scanning is stopped, also after a restart', async () => {
    world = await openWorld({ scanimage: tool });
    const jobId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
    world.service.subscribe((e) => {
      if (e.type === 'scan-progress' && e.pagesScanned === 3) world.service.cancel(jobId);
    });
    const result = await world.service.scan(feeder('Grid', SLOW_READS), { jobId });
    expect(result.cancelled).toBe(true);
    const kept = result.pagesScanned;
    expect(kept).toBeGreaterThanOrEqual(3);
    expect(kept).toBeLessThan(10);
    expect(result.item!.problems).toEqual([
      `Scanning was stopped after ${kept} pages. Check that no page is missing.`,
    ]);

    const reopened = await world.restart();
    const items = reopened.listItems();
    expect(items).toHaveLength(1);
    expect(items[0]!.pages).toHaveLength(kept);
    expect((await stagedPdf(items[0]!)).getPageCount()).toBe(kept);
    // Nothing half-written is left behind in the scratch space.
    expect(await readdir(path.join(world.root, 'staging', 'tmp'))).toEqual([]);
  });

  it('drops nothing into the inbox when stopped before the first page is complete', async () => {
    world = await openWorld({ scanimage: tool });
    const jobId = 'f47ac10b-58cc-4372-a567-0e02b2c3d479';
    world.service.subscribe((e) => {
      // The slow reads keep the first page from completing for at least 400 ms.
      if (e.type === 'scan-started') setTimeout(() => world.service.cancel(jobId), 50);
    });
    const result = await world.service.scan(feeder('Grid', SLOW_READS), { jobId });
    expect(result).toEqual({ pagesScanned: 0, cancelled: true });
    expect(world.events.filter((e) => e.type === 'scan-progress')).toEqual([]);
    expect((await world.restart()).listItems()).toEqual([]);
    expect(await readdir(path.join(world.root, 'staging', 'tmp'))).toEqual([]);
  });

  it('scans nothing when cancelled before the scanner was set up', async () => {
    world = await openWorld({ scanimage: tool });
    const jobId = '9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d';
    const scanning = world.service.scan(feeder('Grid', SLOW_READS), { jobId });
    world.service.cancel(jobId);
    expect(await scanning).toEqual({ pagesScanned: 0, cancelled: true });
    expect(world.events.some((e) => e.type === 'scan-started')).toBe(false);
    expect(world.service.listItems()).toEqual([]);
  });

  it('converts pages once when scanimage cannot write JPEG or PNG', async () => {
    // An older scanimage (before sane-backends 1.0.28) knows only pnm and tiff.
    const older = path.join(scratch, 'scanimage-1.0.27');
    await writeFile(
      older,
      '#!/bin/sh\nfor a in "$@"; do case "$a" in --format=jpeg|--format=png) echo "Unknown output image format" >&2; exit 1;; esac; done\nexec scanimage "$@"\n',
    );
    await chmod(older, 0o755);
    world = await openWorld({ scanimage: { ...tool, command: older } });
    const result = await world.service.scan({
      ...feeder('Color pattern'),
      colour: 'color',
      deviceOptions: { 'test-picture': 'Color pattern' },
      source: 'flatbed',
    });
    const doc = await stagedPdf(result.item!);
    expect(doc.getPageCount()).toBe(1);
    expect(String(imageOf(doc, 0).dict.get(PDFName.of('Filter')))).toBe('/DCTDecode');
    expect(result.item!.pages![0]!.blank).toBe(false);
  });

  it('says what went wrong when the scanner cannot be used', async () => {
    world = await openWorld({ scanimage: tool });
    await expect(
      world.service.scan({ ...feeder('Grid'), deviceId: 'test:7' }),
    ).rejects.toMatchObject({
      code: 'scanner_failed',
      message: expect.stringMatching(/^The scanner reported: /),
    });
    await expect(
      world.service.scan({ ...feeder('Grid'), source: 'feeder-duplex' }),
    ).rejects.toMatchObject({
      code: 'unsupported_setting',
      message:
        'The scanner test:0 does not offer scanning both sides of the paper. It offers: Flatbed, Automatic Document Feeder.',
    });
    const missing = await openWorld({ scanimage: { command: path.join(scratch, 'no-scanimage') } });
    await expect(missing.service.listScanners()).rejects.toMatchObject({
      message: expect.stringMatching(/is not installed.*apt-get install sane-utils/),
    });
    await missing.close();
  });
});

function thumbnailSha(item: InboxItem): string {
  if (item.thumbnail.status !== 'ready') throw new Error('no thumbnail');
  return item.thumbnail.file.sha256;
}
