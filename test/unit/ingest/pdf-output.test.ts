// The PDFs we write ourselves — scanned pages assembled, streamed to disk past pdf-lib's save()
// — checked by readers that did not write them: poppler (pdfinfo, pdftoppm) and pdf.js.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assemblePdf, readPng } from '../../../src/main/services/ingest/assemble.js';
import { writePdf } from '../../../src/main/services/ingest/pdf-writer.js';
import { openPdf } from '../../../src/shared-node/files/pdf.js';
import { ensureFixtures, type Fixtures } from '../../fixtures/make-fixtures.js';

const run = promisify(execFile);

let fixtures: Fixtures;
let scratch: string;
beforeAll(async () => {
  fixtures = await ensureFixtures();
  scratch = await mkdtemp(path.join(tmpdir(), 'medaius-pdf-out-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('assembled PDFs', () => {
  it('open in poppler and pdf.js with the pages, sizes and hash we say they have', async () => {
    const lineart = path.join(scratch, 'lineart.png');
    await sharp({ create: { width: 850, height: 1100, channels: 3, background: '#fff' } })
      .composite([
        {
          input: Buffer.from(
            '<svg xmlns="http://www.w3.org/2000/svg" width="850" height="1100"><rect x="100" y="100" width="300" height="80"/></svg>',
          ),
        },
      ])
      .removeAlpha()
      .toColourspace('b-w')
      .png({ palette: false })
      .toFile(lineart);
    const doc = await assemblePdf([
      { path: fixtures.scannedPage1, format: 'jpeg', dpi: 100 },
      { path: lineart, format: 'png', dpi: 100 },
    ]);
    const target = path.join(scratch, 'assembled.pdf');
    const written = await writePdf(doc, target);
    const bytes = await readFile(target);
    expect(written).toEqual({
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
    });

    const { stdout, stderr } = await run('pdfinfo', [target]);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^Pages:\s+2$/m);
    expect(stdout).toMatch(/^Page size:\s+612 x 792 pts \(letter\)$/m);
    const pdf = await openPdf(new Uint8Array(bytes));
    expect(pdf.numPages).toBe(2);
    await pdf.destroy();

    // The line-art page, drawn by poppler: the black bar where it was, white elsewhere.
    await run('pdftoppm', [
      '-f',
      '2',
      '-l',
      '2',
      '-r',
      '100',
      '-png',
      '-singlefile',
      target,
      path.join(scratch, 'p2'),
    ]);
    const { data, info } = await sharp(path.join(scratch, 'p2.png'))
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => data[y * info.width + x]!;
    expect([at(250, 140), at(600, 600)]).toEqual([0, 255]);
  });

  it('refuses a PNG it would have to decode rather than re-compress it silently', () => {
    const palette = Buffer.from(
      '89504e470d0a1a0a0000000d4948445200000001000000010103000000',
      'hex',
    );
    expect(() => readPng(palette)).toThrow(/palette/);
  });
});
