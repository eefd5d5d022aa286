// A scan from start to inbox item. Pages arrive from scanimage one by one; each is previewed
// (thumbnail, blank flag) and announced at once, and when the scanner stops the pages are
// assembled into one PDF, staged, and the item is written in one step. The inbox therefore
// holds either the whole item or nothing: a cancelled or failed scan keeps the pages that were
// complete (the user may have fed fifty sheets) and says so on the item; a page scanimage had
// not finished is never part of it.
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { FILE_TYPES } from '../../../shared-node/files/known-types.js';
import { assemblePdf, type PageImageFormat } from './assemble.js';
import { IngestError } from './errors.js';
import type { IngestContext } from './ingest-files.js';
import { pagesOf, thumbnailFiles } from './ingest-files.js';
import type { InboxItem, StagedFile } from '../../../shared/ingest/model.js';
import type { ScanRequest, ScanResult } from '../../../shared/ingest/scanner.js';
import { writePdf } from './pdf-writer.js';
import { previewFile, type Preview } from './previews.js';
import { Holds } from './staging.js';
import { deviceOptions, runBatch, type DeviceOption, type ScanimageTool } from './scanimage.js';

export type {
  ScanColour,
  ScanRequest,
  ScanResult,
  ScanSource,
} from '../../../shared/ingest/scanner.js';

/** What scanimage is asked for, worked out from what the device offers. */
export interface ScanPlan {
  args: string[];
  /** the format scanimage writes; 'tiff' when it can write neither JPEG nor PNG */
  scanFormat: PageImageFormat | 'tiff';
  /** the format the page has in the PDF */
  pageFormat: PageImageFormat;
  dpi: number;
}

/**
 * Line art goes into the PDF as PNG (lossless 1-bit, a few dozen KB a page, sharp text); colour
 * and grey as JPEG, the format scanners compress photos and paper in.
 */
export function planScan(
  request: ScanRequest,
  options: Map<string, DeviceOption>,
  writes: ReadonlySet<PageImageFormat>,
): ScanPlan {
  const args = ['-d', request.deviceId];
  const source = options.get('source');
  const sourceValue = chooseSource(request, source);
  if (sourceValue !== undefined) args.push('--source', sourceValue);
  const adfMode = options.get('adf-mode');
  if (
    request.source === 'feeder-duplex' &&
    sourceValue !== undefined &&
    !/duplex/i.test(sourceValue)
  ) {
    const duplex = listed(adfMode)?.find((v) => /duplex/i.test(v));
    if (duplex === undefined)
      throw unsupported(request, 'scanning both sides of the paper', listed(source));
    args.push('--adf-mode', duplex);
  }
  args.push(...modeArgs(request, options));
  const resolution = options.get('resolution');
  const dpi = chooseResolution(request, resolution);
  if (resolution !== undefined) args.push('--resolution', String(dpi));
  for (const [name, value] of Object.entries(request.deviceOptions ?? {})) {
    if (!/^[a-z0-9][a-z0-9-]*$/i.test(name) || /[\r\n]/.test(value)) {
      throw new IngestError('invalid_request', `"${name}" is not a scanner option name.`);
    }
    args.push(`--${name}=${value}`);
  }
  if (request.source === 'flatbed') args.push('--batch-count=1');
  const pageFormat: PageImageFormat = request.colour === 'lineart' ? 'png' : 'jpeg';
  const scanFormat = writes.has(pageFormat) ? pageFormat : 'tiff';
  args.push(`--format=${scanFormat}`);
  return { args, scanFormat, pageFormat, dpi };
}

const listed = (option: DeviceOption | undefined): string[] | undefined =>
  option !== undefined && Array.isArray(option.values) ? option.values : undefined;

function unsupported(
  request: ScanRequest,
  what: string,
  offered: string[] | undefined,
): IngestError {
  const choices = offered === undefined ? '' : ` It offers: ${offered.join(', ')}.`;
  return new IngestError(
    'unsupported_setting',
    `The scanner ${request.deviceId} does not offer ${what}.${choices}`,
  );
}

function chooseSource(request: ScanRequest, option: DeviceOption | undefined): string | undefined {
  const values = listed(option);
  if (values === undefined) {
    // A scanner without a source option has one source; only a flatbed is assumed.
    if (request.source === 'flatbed') return undefined;
    throw unsupported(request, 'a document feeder', undefined);
  }
  const isFeeder = (v: string): boolean => /adf|feeder|document/i.test(v);
  const found =
    request.source === 'flatbed'
      ? values.find((v) => /flatbed|platen/i.test(v))
      : request.source === 'feeder'
        ? values.find((v) => isFeeder(v) && !/duplex/i.test(v))
        : (values.find((v) => /duplex/i.test(v)) ?? values.find((v) => isFeeder(v)));
  if (found === undefined) {
    const what = request.source === 'flatbed' ? 'a flatbed' : 'a document feeder';
    throw unsupported(request, what, values);
  }
  return found;
}

function modeArgs(request: ScanRequest, options: Map<string, DeviceOption>): string[] {
  const modes = listed(options.get('mode')) ?? [];
  const depths = listed(options.get('depth')) ?? [];
  const pick = (pattern: RegExp): string | undefined => modes.find((m) => pattern.test(m));
  const depth8 = depths.includes('8') ? ['--depth', '8'] : [];
  if (request.colour === 'color') {
    const mode = pick(/^colou?r$|^rgb$/i) ?? pick(/colou?r/i);
    if (mode === undefined) throw unsupported(request, 'colour scanning', modes);
    return ['--mode', mode, ...depth8];
  }
  const grey = pick(/^gr[ae]y|^grayscale$/i) ?? pick(/gr[ae]y/i);
  if (request.colour === 'gray') {
    if (grey === undefined) throw unsupported(request, 'grey scanning', modes);
    return ['--mode', grey, ...depth8];
  }
  const lineart = pick(/lineart|binary|black ?& ?white|^bw$/i);
  if (lineart !== undefined) return ['--mode', lineart];
  // The SANE test device and some others have no Lineart mode but scan grey at 1 bit.
  if (grey !== undefined && depths.includes('1')) return ['--mode', grey, '--depth', '1'];
  throw unsupported(request, 'black-and-white (line art) scanning', modes);
}

/** Without a resolution option the device has one, not told; the requested one is assumed. */
function chooseResolution(request: ScanRequest, option: DeviceOption | undefined): number {
  if (option === undefined) return request.resolution;
  if (!Array.isArray(option.values)) {
    const { min, max } = option.values;
    return Math.round(Math.min(max, Math.max(min, request.resolution)));
  }
  const offered = option.values.map(Number).filter((v) => Number.isFinite(v) && v > 0);
  if (offered.length === 0) return request.resolution;
  return offered.reduce((best, v) =>
    Math.abs(v - request.resolution) < Math.abs(best - request.resolution) ? v : best,
  );
}

/** Previews pages as they arrive, two at a time, and announces them in page order. */
export class PageCollector {
  private readonly previews: Promise<Preview>[] = [];
  private readonly files: string[] = [];
  private announced: Promise<void> = Promise.resolve();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly ctx: IngestContext,
    private readonly holds: Holds,
    private readonly format: PageImageFormat,
    private readonly onPage: (number: number, preview: Preview) => void,
  ) {}

  get count(): number {
    return this.files.length;
  }

  /** Takes a complete page image (already in `format`). */
  add(file: string): void {
    const number = this.files.push(file);
    const preview = this.limited(() =>
      previewFile(
        this.ctx.staging,
        this.holds,
        file,
        this.format === 'jpeg' ? FILE_TYPES.jpeg : FILE_TYPES.png,
      ),
    );
    // Held until settled: an unhandled rejection here would otherwise end the process.
    preview.catch(() => undefined);
    this.previews.push(preview);
    this.announced = this.announced.then(async () => this.onPage(number, await preview));
  }

  /** The page files and their previews, once every page added so far is previewed. */
  async finish(): Promise<{ files: string[]; previews: Preview[] }> {
    await this.announced;
    return { files: [...this.files], previews: await Promise.all(this.previews) };
  }

  private async limited<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= 2) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

/** Assembles page images into a staged PDF. */
async function stagePdf(
  ctx: IngestContext,
  holds: Holds,
  files: readonly string[],
  format: PageImageFormat,
  dpi: number,
): Promise<StagedFile> {
  const doc = await assemblePdf(files.map((file) => ({ path: file, format, dpi })));
  const tempPath = ctx.staging.tempPath('pdf');
  const { sha256, size } = await writePdf(doc, tempPath);
  holds.hold(sha256);
  return ctx.staging.commit({ tempPath, sha256, size }, 'pdf');
}

export interface ScannedPages {
  files: readonly string[];
  previews: readonly Preview[];
  format: PageImageFormat;
  dpi: number;
  problems: string[];
}

/**
 * Assembles scanned pages into a staged PDF and writes the one inbox item for it. What it stages
 * is added to `staged`, for the caller to clean up should the item not be written.
 */
export async function saveScan(
  ctx: IngestContext,
  holds: Holds,
  staged: StagedFile[],
  scanned: ScannedPages,
): Promise<InboxItem> {
  const file = await stagePdf(ctx, holds, scanned.files, scanned.format, scanned.dpi);
  staged.push(file);
  const item: InboxItem = {
    id: randomUUID(),
    source: 'scanner',
    originalName: `Scan ${localStamp(ctx.now())}.pdf`,
    createdAt: ctx.now().toISOString(),
    type: FILE_TYPES.pdf,
    file,
    pages: pagesOf(file, scanned.previews),
    filePages: scanned.files.length,
    thumbnail: scanned.previews[0]!.thumbnail,
    problems: scanned.problems,
  };
  await ctx.inbox.exclusive(() => ctx.inbox.save([item]));
  return item;
}

export interface ScanDependencies {
  tool: ScanimageTool;
  /** the page formats this scanimage can write */
  formats: () => Promise<ReadonlySet<PageImageFormat>>;
}

export async function scanToInbox(
  ctx: IngestContext,
  deps: ScanDependencies,
  request: ScanRequest,
  jobId: string,
  signal: AbortSignal,
): Promise<ScanResult> {
  let options;
  try {
    options = await deviceOptions(deps.tool, request.deviceId, signal);
  } catch (error) {
    if (signal.aborted) return { pagesScanned: 0, cancelled: true };
    throw error;
  }
  const plan = planScan(request, options, await deps.formats());
  // Cancelled while the scanner was being asked what it offers: nothing was scanned.
  if (signal.aborted) return { pagesScanned: 0, cancelled: true };
  const dir = ctx.staging.tempPath('scan');
  await mkdir(dir);
  const holds = new Holds(ctx.staging);
  const staged: StagedFile[] = [];
  try {
    const collector = new PageCollector(ctx, holds, plan.pageFormat, (number, preview) => {
      ctx.events.emit({
        type: 'scan-progress',
        jobId,
        pagesScanned: number,
        page: { number, thumbnail: preview.thumbnail, blank: preview.blank },
      });
    });
    let conversions: Promise<void> = Promise.resolve();
    ctx.events.emit({ type: 'scan-started', jobId, deviceId: request.deviceId });
    const extension = plan.scanFormat === 'jpeg' ? 'jpg' : plan.scanFormat;
    const batch = await runBatch(
      deps.tool,
      plan.args,
      path.join(dir, `page-%04d.${extension}`),
      (page) => {
        if (plan.scanFormat === plan.pageFormat) collector.add(page);
        else {
          conversions = conversions.then(async () =>
            collector.add(await convert(page, plan.pageFormat)),
          );
        }
      },
      signal,
    );
    await conversions;
    const { files, previews } = await collector.finish();
    staged.push(...thumbnailFiles(previews));
    const cancelled = signal.aborted;
    if (files.length === 0) {
      if (cancelled) return { pagesScanned: 0, cancelled };
      throw scanFailure(request, batch.failure, batch.feederEmpty);
    }
    const problems: string[] = [];
    if (batch.failure !== undefined) {
      problems.push(
        cancelled
          ? `Scanning was stopped after ${files.length} ${pages(files.length)}. Check that no page is missing.`
          : `The scanner stopped after ${files.length} ${pages(files.length)}: ${batch.failure} Check that no page is missing.`,
      );
    }
    const item = await saveScan(ctx, holds, staged, {
      files,
      previews,
      format: plan.pageFormat,
      dpi: plan.dpi,
      problems,
    });
    return { item, pagesScanned: files.length, cancelled };
  } finally {
    holds.releaseAll();
    await rm(dir, { recursive: true, force: true });
    // Whatever a scan staged that did not become part of an item is not needed by anyone.
    if (staged.length > 0) await ctx.inbox.exclusive(() => ctx.inbox.collect(staged));
  }
}

const pages = (n: number): string => (n === 1 ? 'page' : 'pages');

function scanFailure(request: ScanRequest, failure: string | undefined, feederEmpty: boolean) {
  if (feederEmpty) {
    return new IngestError(
      'feeder_empty',
      'The document feeder is empty. Put the pages in the feeder and scan again.',
    );
  }
  return new IngestError(
    'scanner_failed',
    `The scanner ${request.deviceId} did not scan a page: ${failure ?? 'no reason given'}. Check that it is switched on, has paper, and try again.`,
  );
}

/** A page from a scanimage too old to write JPEG or PNG, converted once to the page format. */
async function convert(page: string, format: PageImageFormat): Promise<string> {
  const target = page.replace(/\.tiff?$/, format === 'jpeg' ? '.jpg' : '.png');
  const image = sharp(page);
  await (
    format === 'jpeg'
      ? image.jpeg({ quality: 85 })
      : image.removeAlpha().toColourspace('b-w').png({ compressionLevel: 9 })
  ).toFile(target);
  await rm(page);
  return target;
}

/** "2026-11-27 14-03-05" in local time: sortable, and valid in file names on every system. */
function localStamp(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ` +
    `${two(date.getHours())}-${two(date.getMinutes())}-${two(date.getSeconds())}`
  );
}
