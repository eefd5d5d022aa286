// Scan ingest speed on 100 scanned letter pages (300 dpi, 2550×3300 JPEG): the whole pipeline
// as a scan runs it — each page lands in staging, is thumbnailed and checked for blankness, and
// the pages are assembled into one staged PDF that becomes an inbox item — and PDF assembly on
// its own, timed against img2pdf (Debian's, which also places JPEGs without re-encoding) on the
// same pages in the same run. Prints pages per second and the assembly ratio; under 1.0 prints
// MISSED TARGET but does not fail, as timings depend on the machine.
// Run: npm run bench:ingest
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PDFDict, PDFDocument, PDFName, type PDFRawStream } from 'pdf-lib';
import { assemblePdf } from '../../src/main/services/ingest/assemble.js';
import { IngestEvents } from '../../src/main/services/ingest/events.js';
import { Inbox } from '../../src/main/services/ingest/inbox.js';
import type { IngestContext } from '../../src/main/services/ingest/ingest-files.js';
import type { StagedFile } from '../../src/shared/ingest/model.js';
import { writePdf } from '../../src/main/services/ingest/pdf-writer.js';
import { PageCollector, saveScan } from '../../src/main/services/ingest/scan.js';
import { Holds, StagingStore } from '../../src/main/services/ingest/staging.js';
import { DEFAULT_FILE_LIMITS } from '../../src/shared-node/files/types.js';
import { ensureBenchFixtures } from '../fixtures/bench-pages.js';
import { checkTools } from '../fixtures/make-fixtures.js';

const run = promisify(execFile);
const PAGES = 100;
const DPI = 300;
const ROUNDS = 3;
const TARGET_RATIO = 1.0;

async function bestOf(rounds: number, task: (round: number) => Promise<void>): Promise<number> {
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    await task(round);
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return best;
}

function line(label: string, pages: number, seconds: number): string {
  const rate = (pages / seconds).toFixed(1).padStart(6);
  return `  ${label.padEnd(44)} ${seconds.toFixed(2).padStart(6)} s ${rate} pages/s`;
}

/** A fresh inbox and staging store, as the app has them, in `root`. */
async function context(root: string): Promise<IngestContext> {
  await mkdir(path.join(root, 'inbox'), { recursive: true });
  const staging = new StagingStore(path.join(root, 'staging'));
  await staging.open();
  const events = new IngestEvents();
  const inbox = new Inbox(path.join(root, 'inbox'), staging, () => false, events);
  await inbox.open();
  return { inbox, staging, events, limits: DEFAULT_FILE_LIMITS, now: () => new Date() };
}

/** The scan pipeline after scanimage: pages arrive in staging one by one, then become an item. */
async function pipeline(root: string, pages: readonly string[]): Promise<void> {
  const ctx = await context(root);
  const scanDir = ctx.staging.tempPath('scan');
  await mkdir(scanDir);
  const holds = new Holds(ctx.staging);
  const collector = new PageCollector(ctx, holds, 'jpeg', () => undefined);
  for (const [i, page] of pages.entries()) {
    const landed = path.join(scanDir, `page-${String(i + 1).padStart(4, '0')}.jpg`);
    await copyFile(page, landed);
    collector.add(landed);
  }
  const { files, previews } = await collector.finish();
  const staged: StagedFile[] = [];
  const item = await saveScan(ctx, holds, staged, {
    files,
    previews,
    format: 'jpeg',
    dpi: DPI,
    problems: [],
  });
  holds.releaseAll();
  if (item.pages!.length !== pages.length) throw new Error('pages went missing');
  if (item.pages!.some((p) => p.blank || p.thumbnail.status !== 'ready')) {
    throw new Error('a text page was flagged blank or has no thumbnail');
  }
}

/** A fast result only counts if every page is there with its JPEG byte for byte. */
async function checkSameJpegs(pdf: string, pages: readonly string[]): Promise<void> {
  const doc = await PDFDocument.load(await readFile(pdf), { updateMetadata: false });
  if (doc.getPageCount() !== pages.length) throw new Error(`${pdf}: pages are missing`);
  for (const [i, page] of doc.getPages().entries()) {
    const xobjects = page.node.Resources()!.lookup(PDFName.of('XObject'), PDFDict);
    const image = xobjects.lookup(xobjects.keys()[0]!) as PDFRawStream;
    if (!Buffer.from(image.contents).equals(await readFile(pages[i]!))) {
      throw new Error(`${pdf}: page ${i + 1} is not the scanned JPEG`);
    }
  }
}

async function main(): Promise<void> {
  await checkTools([{ command: 'img2pdf', debianPackage: 'img2pdf' }]);
  const madeAt = Date.now();
  const pages = (await ensureBenchFixtures()).pages.slice(0, PAGES);
  const madeIn = (Date.now() - madeAt) / 1000;
  if (madeIn > 1)
    console.log(`Made the benchmark pages in ${madeIn.toFixed(0)} s (cached from now on).`);

  const scratch = await mkdtemp(path.join(tmpdir(), 'medaius-bench-ingest-'));
  try {
    const ours = path.join(scratch, 'ours.pdf');
    const theirs = path.join(scratch, 'img2pdf.pdf');
    const assembleOurs = async (): Promise<void> => {
      const doc = await assemblePdf(
        pages.map((p) => ({ path: p, format: 'jpeg' as const, dpi: DPI })),
      );
      await writePdf(doc, ours);
    };
    const assembleTheirs = async (): Promise<void> => {
      await run('img2pdf', [...pages, '-o', theirs]);
    };
    // Warm up: module loading, sharp and pdf-lib start-up, the page files in the OS cache.
    await assembleOurs();
    await assembleTheirs();
    await pipeline(path.join(scratch, 'warm-up'), pages.slice(0, 4));

    console.log(
      `Scan ingest, ${PAGES} pages of 2550×3300 JPEG (300 dpi letter), best of ${ROUNDS}.\n`,
    );
    const whole = await bestOf(ROUNDS, (round) =>
      pipeline(path.join(scratch, `run-${round}`), pages),
    );
    console.log('Whole pipeline (stage, thumbnail, blank check, assemble, stage PDF, inbox item):');
    console.log(line('ours', PAGES, whole));

    const theirTime = await bestOf(ROUNDS, assembleTheirs);
    const ourTime = await bestOf(ROUNDS, assembleOurs);
    console.log(
      'PDF assembly, pages placed as they are (ours also hashes and fsyncs the file; img2pdf does neither):',
    );
    console.log(line('ours (pdf-lib + streamed writer)', PAGES, ourTime));
    console.log(line('img2pdf', PAGES, theirTime));
    const ratio = theirTime / ourTime;
    const missed = ratio < TARGET_RATIO ? '  MISSED TARGET' : '';
    console.log(
      `  ratio ours / img2pdf: ${ratio.toFixed(2)} (target ≥ ${TARGET_RATIO.toFixed(1)})${missed}`,
    );

    await checkSameJpegs(ours, pages);
    await checkSameJpegs(theirs, pages);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
