// Thumbnail speed against libvips' own command-line thumbnailer on the same scanned pages, in
// the same run, both using the machine's two cores. Prints pages per second and the ratio; a
// ratio under 1.0 prints MISSED TARGET but does not fail, as timings depend on the machine.
// Run: npm run bench:thumbs
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { FILE_TYPES } from '../../src/shared-node/files/known-types.js';
import { makeThumbnail } from '../../src/shared-node/files/thumbnails.js';
import { ensureBenchFixtures, inParallel } from '../fixtures/bench-pages.js';
import { checkTools } from '../fixtures/make-fixtures.js';

const run = promisify(execFile);
const CONCURRENCY = 2;
const TARGET_RATIO = 1.0;
/** Rounds for the quick comparisons; the best round counts, as other load only slows runs down. */
const ROUNDS = 3;
const VIPS_OUTPUT = '%s_thumb.jpg[Q=80]';

/**
 * Loading sharp makes its bundled libvips set VIPSHOME in our environment; a child vipsthumbnail
 * inheriting it looks for its loadable modules (the PDF loader among them) in sharp's folder.
 */
const { VIPSHOME: _sharpVipsHome, ...systemVipsEnv } = process.env;
const runVips = (args: readonly string[]) => run('vipsthumbnail', args, { env: systemVipsEnv });

type Thumbnailer = (files: readonly string[]) => Promise<unknown>;

/** Our makeThumbnail, two files at a time; any file without a thumbnail is an error here. */
const ours: Thumbnailer = (files) =>
  inParallel(files, CONCURRENCY, async (file) => {
    const type = file.endsWith('.pdf') ? FILE_TYPES.pdf : FILE_TYPES.jpeg;
    const result = await makeThumbnail(file, type);
    if (result.status !== 'ready') throw new Error(`${file}: ${result.status}: ${result.reason}`);
  });

/** vipsthumbnail as two processes, each given every other file. */
const vips =
  (outDir: string): Thumbnailer =>
  (files) => {
    const halves = [0, 1].map((h) => files.filter((_, i) => i % CONCURRENCY === h));
    const output = path.join(outDir, VIPS_OUTPUT);
    return Promise.all(halves.map((half) => runVips(['--size', '256', '-o', output, ...half])));
  };

/** poppler's pdftoppm, one process per PDF, two at a time: a reference for PDF pages. */
const poppler =
  (outDir: string): Thumbnailer =>
  (files) =>
    inParallel(files, CONCURRENCY, (file, i) =>
      run('pdftoppm', [
        ...['-f', '1', '-l', '1', '-scale-to', '256', '-jpeg', '-jpegopt', 'quality=80'],
        ...['-singlefile', file, path.join(outDir, `poppler-${i}`)],
      ]),
    );

async function vipsCanOpenPdf(pdf: string, outDir: string): Promise<boolean> {
  try {
    await runVips(['--size', '256', '-o', path.join(outDir, VIPS_OUTPUT), pdf]);
    return (await readdir(outDir)).length > 0;
  } catch {
    return false;
  }
}

/** The fastest of `rounds` runs, in seconds. */
async function seconds(tool: Thumbnailer, files: readonly string[], rounds: number) {
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    await tool(files);
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return best;
}

function line(label: string, files: number, time: number): string {
  const rate = (files / time).toFixed(1).padStart(6);
  return `  ${label.padEnd(38)} ${time.toFixed(2).padStart(6)} s ${rate} pages/s`;
}

/** Times ours and vipsthumbnail on one set of files; prints both and their ratio. */
async function compare(
  label: string,
  files: readonly string[],
  vipsTool: Thumbnailer,
  rounds: { ours: number; vips: number },
): Promise<void> {
  const vipsTime = await seconds(vipsTool, files, rounds.vips);
  const ourTime = await seconds(ours, files, rounds.ours);
  const best = (n: number) => (n > 1 ? `, best of ${n}` : '');
  console.log(`${label} (${files.length} files):`);
  console.log(line(`ours (makeThumbnail)${best(rounds.ours)}`, files.length, ourTime));
  console.log(line(`vipsthumbnail, 2 processes${best(rounds.vips)}`, files.length, vipsTime));
  const ratio = vipsTime / ourTime;
  const missed = ratio < TARGET_RATIO ? '  MISSED TARGET' : '';
  console.log(
    `  ratio ours / vips: ${ratio.toFixed(2)} (target ≥ ${TARGET_RATIO.toFixed(1)})${missed}`,
  );
}

async function main(): Promise<void> {
  await checkTools([
    { command: 'vipsthumbnail', debianPackage: 'libvips-tools' },
    { command: 'pdftoppm', debianPackage: 'poppler-utils' },
  ]);
  const madeAt = Date.now();
  const { pages, pdfs } = await ensureBenchFixtures();
  const madeIn = (Date.now() - madeAt) / 1000;
  if (madeIn > 1)
    console.log(`Made the benchmark files in ${madeIn.toFixed(0)} s (cached from now on).`);

  const outDir = await mkdtemp(path.join(tmpdir(), 'medaius-bench-thumbs-'));
  try {
    const probeDir = path.join(outDir, 'probe');
    await mkdir(probeDir);
    const vipsReadsPdf = await vipsCanOpenPdf(pdfs[0]!, probeDir);
    const vipsTool = vips(outDir);
    // The PDFs spread through the list, as they would arrive among single pages.
    const all = [...pages];
    pdfs.forEach((pdf, i) => all.splice(i * 11, 0, pdf));

    // Warm both up (module loading, pdf.js start-up, file cache) before timing anything.
    await ours([pages[0]!, pdfs[0]!]);
    await vipsTool([pages[0]!]);

    console.log(
      `Thumbnails, long edge 256, ${CONCURRENCY} at a time. Pages are 2550×3300 JPEG scans ` +
        `(300 dpi letter); each PDF holds three and only its first page is drawn.\n`,
    );
    if (vipsReadsPdf) {
      await compare('All files', all, vipsTool, { ours: 1, vips: 1 });
    } else {
      console.log('vipsthumbnail cannot open PDFs on this machine: PDFs are timed separately.');
    }
    await compare('JPEG pages', pages, vipsTool, { ours: ROUNDS, vips: ROUNDS });
    if (vipsReadsPdf) {
      // vipsthumbnail is slow on these, so one round of it is enough to see where it stands.
      await compare('PDFs', pdfs, vipsTool, { ours: ROUNDS, vips: 1 });
    } else {
      console.log(`PDFs (${pdfs.length} files):`);
      console.log(
        line(
          `ours (makeThumbnail), best of ${ROUNDS}`,
          pdfs.length,
          await seconds(ours, pdfs, ROUNDS),
        ),
      );
    }
    const popplerTime = await seconds(poppler(outDir), pdfs, ROUNDS);
    console.log(line(`for reference: pdftoppm, best of ${ROUNDS}`, pdfs.length, popplerTime));
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

await main();
