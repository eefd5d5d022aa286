// Thumbnails as a user sees them: the right way up, the right shape, and looking like the file —
// checked against the source pictures and against independent renderers (poppler's pdftoppm,
// dcmtk's dcm2pnm) on the same files.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILE_TYPES } from '../../../src/shared-node/files/known-types.js';
import { makeThumbnail } from '../../../src/shared-node/files/thumbnails.js';
import type { DetectedType, ThumbnailResult } from '../../../src/shared-node/files/types.js';
import { ensureFixtures, type Fixtures } from '../../fixtures/make-fixtures.js';

const run = promisify(execFile);

let fixtures: Fixtures;
let scratch: string;
beforeAll(async () => {
  fixtures = await ensureFixtures();
  scratch = await mkdtemp(path.join(tmpdir(), 'medaius-thumbs-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

type Ready = Extract<ThumbnailResult, { status: 'ready' }>;

async function ready(fixture: keyof Fixtures, type: DetectedType): Promise<Ready> {
  const result = await makeThumbnail(fixtures[fixture], type);
  if (result.status !== 'ready') throw new Error(`${fixture}: ${result.status}: ${result.reason}`);
  const meta = await sharp(result.jpeg).metadata();
  expect(meta.format).toBe('jpeg');
  expect({ width: meta.width, height: meta.height }).toEqual({
    width: result.width,
    height: result.height,
  });
  return result;
}

/** Grey levels of a picture at a given size, for comparing two renderings pixel by pixel. */
async function greyPixels(input: Buffer | string, width: number, height: number): Promise<Buffer> {
  return sharp(input)
    .flatten({ background: '#ffffff' })
    .resize(width, height, { fit: 'fill' })
    .greyscale()
    .raw()
    .toBuffer();
}

const mean = (pixels: Buffer): number => pixels.reduce((sum, v) => sum + v, 0) / pixels.length;
const darkShare = (pixels: Buffer): number => pixels.filter((v) => v < 128).length / pixels.length;
const meanDifference = (a: Buffer, b: Buffer): number =>
  a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0) / a.length;

async function sameAs(thumb: Ready, reference: Buffer | string): Promise<number> {
  const ours = await greyPixels(thumb.jpeg, thumb.width, thumb.height);
  const theirs = await greyPixels(reference, thumb.width, thumb.height);
  return meanDifference(ours, theirs);
}

/** poppler's rendering of page 1 at the same size, as an independent reference. */
async function popplerPage(pdf: string, longEdge: number): Promise<Buffer> {
  const prefix = path.join(scratch, path.basename(pdf));
  await run('pdftoppm', [
    '-f',
    '1',
    '-l',
    '1',
    '-scale-to',
    String(longEdge),
    '-png',
    '-singlefile',
    pdf,
    prefix,
  ]);
  return readFile(`${prefix}.png`);
}

/** dcmtk's rendering of a DICOM file with the given VOI options, as an independent reference. */
async function dcmtkImage(dicom: string, ...voi: string[]): Promise<Buffer> {
  const out = path.join(scratch, `${path.basename(dicom)}${voi.join('')}.png`);
  await run('dcm2pnm', ['+on', ...voi, dicom, out]);
  return readFile(out);
}

describe('photos', () => {
  it('turns an EXIF-rotated JPEG upright: portrait, long edge exactly 256', async () => {
    const thumb = await ready('rotatedJpeg', FILE_TYPES.jpeg);
    expect({ width: thumb.width, height: thumb.height }).toEqual({ width: 192, height: 256 });
    // The black band along the stored top is on the right once the photo is shown upright.
    const pixels = await greyPixels(thumb.jpeg, thumb.width, thumb.height);
    const column = (x: number) =>
      mean(
        Buffer.from(Array.from({ length: thumb.height }, (_, y) => pixels[y * thumb.width + x]!)),
      );
    expect(column(thumb.width - 10)).toBeLessThan(40);
    expect(column(10)).toBeGreaterThan(120);
  });

  it.each([
    ['png', FILE_TYPES.png],
    ['tiff', FILE_TYPES.tiff],
    ['webp', FILE_TYPES.webp],
  ] as const)('makes a %s thumbnail that looks like the image', async (fixture, type) => {
    const thumb = await ready(fixture, type);
    expect({ width: thumb.width, height: thumb.height }).toEqual({ width: 256, height: 171 });
    expect(await sameAs(thumb, fixtures[fixture])).toBeLessThan(4);
  });

  it('reports an HEVC HEIC photo as unsupported rather than failing', async () => {
    const result = await makeThumbnail(fixtures.heic, FILE_TYPES.heic);
    expect(result).toEqual({ status: 'unsupported', reason: expect.stringMatching(/HEIC.*HEVC/) });
  });

  it('reports a corrupt image as failed, without throwing', async () => {
    const result = await makeThumbnail(fixtures.corruptJpeg, FILE_TYPES.jpeg);
    expect(result).toEqual({
      status: 'failed',
      reason: expect.stringMatching(/JPEG image cannot be read/),
    });
  });

  it('does not decode a pixel bomb', async () => {
    const result = await makeThumbnail(fixtures.pixelBomb, FILE_TYPES.png);
    expect(result).toEqual({ status: 'failed', reason: expect.stringMatching(/pixel limit/) });
  });
});

describe('PDF first pages', () => {
  it('shows a scanned letter page upright, 198×256, with the page’s ink where it was drawn', async () => {
    const thumb = await ready('scannedPdf', FILE_TYPES.pdf);
    expect({ width: thumb.width, height: thumb.height }).toEqual({ width: 198, height: 256 });
    const ours = await greyPixels(thumb.jpeg, thumb.width, thumb.height);
    const page = await greyPixels(fixtures.scannedPage1, thumb.width, thumb.height);
    expect(darkShare(ours)).toBeGreaterThan(0.1);
    expect(Math.abs(darkShare(ours) - darkShare(page))).toBeLessThan(0.01);
    expect(meanDifference(ours, page)).toBeLessThan(4);
    expect(await sameAs(thumb, await popplerPage(fixtures.scannedPdf, 256))).toBeLessThan(6);
  });

  it('applies the page’s /Rotate as poppler does', async () => {
    const thumb = await ready('rotatedPdf', FILE_TYPES.pdf);
    expect({ width: thumb.width, height: thumb.height }).toEqual({ width: 256, height: 198 });
    expect(await sameAs(thumb, await popplerPage(fixtures.rotatedPdf, 256))).toBeLessThan(6);
  });

  it('renders a vector page with standard-font text through pdf.js', async () => {
    const thumb = await ready('vectorPdf', FILE_TYPES.pdf);
    expect({ width: thumb.width, height: thumb.height }).toEqual({ width: 256, height: 198 });
    const pixels = await greyPixels(thumb.jpeg, thumb.width, thumb.height);
    const scale = 256 / 792;
    const at = (x: number, yFromBottom: number) =>
      pixels[Math.round((612 - yFromBottom) * scale) * thumb.width + Math.round(x * scale)]!;
    // Inside the 288×216 pt rectangle, and outside everything.
    expect(at(216, 180)).toBeLessThan(40);
    expect(at(600, 180)).toBeGreaterThan(230);
    // The text line (x 400…, baseline 480 pt) was drawn.
    const textBand = Buffer.from(
      Array.from(
        { length: 12 * 90 },
        (_, i) =>
          pixels[
            (Math.round((612 - 500) * scale) + Math.floor(i / 90)) * thumb.width + 130 + (i % 90)
          ]!,
      ),
    );
    expect(darkShare(textBand)).toBeGreaterThan(0.05);
    expect(await sameAs(thumb, await popplerPage(fixtures.vectorPdf, 256))).toBeLessThan(6);
  });

  it('reports a password-protected PDF as unsupported', async () => {
    const result = await makeThumbnail(fixtures.protectedPdf, FILE_TYPES.pdf);
    expect(result).toEqual({ status: 'unsupported', reason: expect.stringMatching(/password/) });
  });

  it('reports a damaged PDF as failed, without throwing', async () => {
    const garbage = path.join(scratch, 'garbage.pdf');
    await writeFile(garbage, '%PDF-1.7\nthis is not a PDF at all\n');
    const result = await makeThumbnail(garbage, FILE_TYPES.pdf);
    expect(result).toEqual({
      status: 'failed',
      reason: expect.stringMatching(/PDF cannot be read/),
    });
  });
});

describe('DICOM first frames', () => {
  it('decodes JPEG baseline and looks like the picture it was made from', async () => {
    const thumb = await ready('dicomJpeg', FILE_TYPES.dicom);
    expect({ width: thumb.width, height: thumb.height }).toEqual({ width: 256, height: 256 });
    expect(await sameAs(thumb, fixtures.dicomSource)).toBeLessThan(4);
  });

  it('decodes an uncompressed frame as dcmtk displays it, close to the source', async () => {
    const thumb = await ready('dicomUncompressed', FILE_TYPES.dicom);
    expect(await sameAs(thumb, await dcmtkImage(fixtures.dicomUncompressed, '+Wm'))).toBeLessThan(
      3,
    );
    const ours = await greyPixels(thumb.jpeg, thumb.width, thumb.height);
    const source = await greyPixels(fixtures.dicomSource, thumb.width, thumb.height);
    expect(Math.abs(mean(ours) - mean(source))).toBeLessThan(10);
  });

  it('inverts MONOCHROME1, whose zero is white', async () => {
    const normal = await ready('dicomUncompressed', FILE_TYPES.dicom);
    const inverted = await ready('dicomMonochrome1', FILE_TYPES.dicom);
    const a = await greyPixels(normal.jpeg, 256, 256);
    const b = await greyPixels(inverted.jpeg, 256, 256);
    expect(Math.abs(mean(a) + mean(b) - 255)).toBeLessThan(2);
  });

  it('applies rescale and the VOI window to signed 12-bit data as dcmtk does', async () => {
    const thumb = await ready('dicomCt', FILE_TYPES.dicom);
    expect({ width: thumb.width, height: thumb.height }).toEqual({ width: 256, height: 192 });
    expect(await sameAs(thumb, await dcmtkImage(fixtures.dicomCt, '+Wi', '1'))).toBeLessThan(3);
    // Values below the window are black, above it white: the left third, the right seventh.
    const pixels = await greyPixels(thumb.jpeg, thumb.width, thumb.height);
    const row = 96 * thumb.width;
    expect(pixels[row + 40]).toBeLessThan(8);
    expect(pixels[row + 245]).toBeGreaterThan(247);
  });

  it('keeps colour: JPEG baseline (YBR) and uncompressed RGB match the source picture', async () => {
    const source = await sharp(fixtures.dicomColourSource).resize(256, 192).stats();
    for (const fixture of ['dicomColourJpeg', 'dicomColourUncompressed'] as const) {
      const thumb = await ready(fixture, FILE_TYPES.dicom);
      const { channels } = await sharp(thumb.jpeg).stats();
      channels.slice(0, 3).forEach((channel, i) => {
        expect(Math.abs(channel.mean - source.channels[i]!.mean)).toBeLessThan(4);
      });
    }
  });

  it('names a transfer syntax it cannot decode', async () => {
    const result = await makeThumbnail(fixtures.dicomLossless, FILE_TYPES.dicom);
    expect(result).toEqual({
      status: 'unsupported',
      reason: expect.stringMatching(/JPEG Lossless.*1\.2\.840\.10008\.1\.2\.4\.70/),
    });
  });

  it('reports a frame cut off mid-way as failed', async () => {
    const bytes = await readFile(fixtures.dicomUncompressed);
    const cut = path.join(scratch, 'cut.dcm');
    await writeFile(cut, bytes.subarray(0, bytes.length - 1000));
    const result = await makeThumbnail(cut, FILE_TYPES.dicom);
    expect(result).toEqual({ status: 'failed', reason: expect.stringMatching(/truncated/) });
  });
});

describe('files without a preview', () => {
  it('says so for video and text', async () => {
    expect(await makeThumbnail(fixtures.mp4, FILE_TYPES.mp4)).toEqual({
      status: 'unsupported',
      reason: expect.stringMatching(/video/),
    });
    expect(await makeThumbnail(fixtures.text, FILE_TYPES.text)).toEqual({
      status: 'unsupported',
      reason: expect.stringMatching(/plain text/),
    });
  });
});
