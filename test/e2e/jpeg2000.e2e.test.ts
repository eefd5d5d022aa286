// A scanned PDF whose page is a JPEG 2000 picture (as some scanners' high-compression modes
// write them) shows that picture in the viewer, not an empty page: pdf.js decodes JPEG 2000
// with OpenJPEG, which the renderer ships as plain JavaScript (its WebAssembly build would
// need 'wasm-unsafe-eval' in the window's content security policy).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS, type E2eApp } from './support/app.js';
import { flowSteps, startE2eApp } from './support/e2e.js';
import { addDocuments } from './support/seed-files.js';

const TITLE = 'Insurance card, JPEG 2000 scan';

interface PageCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  } | null;
}

/** A one-page PDF holding a JPEG 2000 picture: red, with a blue band across its lower third. */
function jpeg2000Pdf(): Buffer {
  const dir = mkdtempSync(path.join(tmpdir(), 'medaius-jpx-'));
  try {
    const jp2 = path.join(dir, 'scan.jp2');
    execFileSync('convert', [
      '-size',
      '300x300',
      'xc:#d01010',
      '-fill',
      '#1030d0',
      '-draw',
      'rectangle 0,200 299,299',
      // img2pdf takes no alpha channel, and a scanner's picture has none
      '-alpha',
      'off',
      '-type',
      'TrueColor',
      jp2,
    ]);
    const out = path.join(dir, 'scan.pdf');
    execFileSync('img2pdf', [jp2, '-o', out]);
    const bytes = readFileSync(out);
    // img2pdf embeds the file as it is: the page's image really is JPEG 2000.
    expect(bytes.includes(Buffer.from('/JPXDecode'))).toBe(true);
    return bytes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let app: E2eApp;
beforeAll(async () => {
  app = await startE2eApp({
    beforeApiStart: async (api) => {
      await addDocuments(api, 'Lovelace', [
        {
          title: TITLE,
          bytes: jpeg2000Pdf(),
          contentType: 'application/pdf',
          extension: 'pdf',
          category: 'insurance',
          thumbnail: await sharp({
            create: { width: 64, height: 64, channels: 3, background: '#d01010' },
          })
            .jpeg()
            .toBuffer(),
          documentDate: '2026-11-20',
        },
      ]);
    },
  });
});
afterAll(() => app?.close());
flowSteps(() => app);

describe('a JPEG 2000 scan in a PDF', () => {
  it('shows its picture on the page', async () => {
    const { page } = app;
    await app.open();
    await app.signIn(USERS.clinician);
    await page.getByLabel('Search patients by name or MRN').fill('Lovelace');
    await page
      .getByRole('list', { name: 'Search results' })
      .getByRole('button', { name: /Lovelace/ })
      .click();
    await page
      .getByRole('region', { name: 'Gallery' })
      .getByRole('button', { name: new RegExp(TITLE) })
      .click();
    const canvas = page.getByRole('img', { name: 'Page 1', exact: true });
    await canvas.waitFor();
    // The colour at a point of the drawn page, as a fraction of its width and height.
    const colourAt = (x: number, y: number) =>
      canvas.evaluate(
        (element, [fx, fy]) => {
          // (the page's canvas; this file is type-checked without the DOM's types)
          const c = element as unknown as PageCanvas;
          const [r, g, b] = c
            .getContext('2d')!
            .getImageData(Math.floor(c.width * fx!), Math.floor(c.height * fy!), 1, 1).data;
          return [r, g, b];
        },
        [x, y],
      );
    type Colour = (number | undefined)[];
    const red = ([r = 0, g = 0, b = 0]: Colour) => r > 170 && g < 80 && b < 80;
    const blue = ([r = 0, g = 0, b = 0]: Colour) => b > 170 && r < 80 && g < 100;
    await expect.poll(async () => red(await colourAt(0.5, 0.3)), { timeout: 15_000 }).toBe(true);
    expect(blue(await colourAt(0.5, 0.85))).toBe(true);
  });
});
