// Blank-page detection on thumbnails of pages as scanners deliver them: pure white, paper grain,
// feeder shadows along the edges — blank; one line of text, a lone signature, a page of text,
// a black page — not blank. Pages are drawn at 100 dpi letter size and thumbnailed by the same
// makeThumbnail the inbox uses.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { looksBlank } from '../../../src/main/services/ingest/blank.js';
import { FILE_TYPES } from '../../../src/shared-node/files/known-types.js';
import { makeThumbnail } from '../../../src/shared-node/files/thumbnails.js';

const WIDTH = 850;
const HEIGHT = 1100;

let scratch: string;
let pages = 0;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'medaius-blank-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Whether a page — paper with SVG drawn on it, thumbnailed as the inbox does — looks blank. */
async function blank(paper: 'white' | 'grain' | 'black', svg = ''): Promise<boolean> {
  const background = paper === 'black' ? '#000000' : paper === 'white' ? '#ffffff' : '#f2efe6';
  const base = sharp({
    create: {
      width: WIDTH,
      height: HEIGHT,
      channels: 3,
      background,
      ...(paper === 'grain' ? { noise: { type: 'gaussian', mean: 236, sigma: 8 } } : {}),
    },
  });
  const drawn = svg
    ? base.composite([
        {
          input: Buffer.from(
            `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}">${svg}</svg>`,
          ),
        },
      ])
    : base;
  const file = path.join(scratch, `page-${pages++}.jpg`);
  await writeFile(file, await drawn.jpeg({ quality: 85 }).toBuffer());
  const result = await makeThumbnail(file, FILE_TYPES.jpeg);
  if (result.status !== 'ready') throw new Error(result.reason);
  return looksBlank(result.jpeg, result.width, result.height);
}

const text = (y: number, words: string) =>
  `<text x="70" y="${y}" font-family="DejaVu Sans" font-size="14" fill="#1a1a1a">${words}</text>`;

describe('blank pages', () => {
  it('finds white paper, grainy paper and feeder shadows blank', async () => {
    expect(await blank('white')).toBe(true);
    expect(await blank('grain')).toBe(true);
    const shadows =
      '<rect x="0" y="0" width="850" height="14" fill="#111"/><rect x="0" y="0" width="10" height="1100" fill="#222"/>';
    expect(await blank('grain', shadows)).toBe(true);
  });

  it('does not flag a page with one line, a signature, a page of text or a black page', async () => {
    expect(await blank('grain', text(140, 'Seen today, follow-up in two weeks.'))).toBe(false);
    const signature =
      '<path d="M 500 960 q 17 -27 34 0 t 34 0 t 34 0" stroke="#223" stroke-width="3" fill="none"/>';
    expect(await blank('grain', signature)).toBe(false);
    const lines = Array.from({ length: 40 }, (_, i) =>
      text(100 + i * 22, 'Blood pressure normal.'),
    );
    expect(await blank('white', lines.join(''))).toBe(false);
    expect(await blank('black')).toBe(false);
  });
});
