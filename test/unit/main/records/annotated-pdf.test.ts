// Burning annotations into PDF pages of every /Rotate and a CropBox that does not start at the
// origin: poppler renders each page as a viewer shows it, and the highlight must sit on the
// spot of that rendering the annotation names, whatever the page's own coordinate system.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { degrees, PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { burnInAnnotations } from '../../../../src/main/services/records/annotated-pdf.js';
import type { Annotation } from '../../../../src/shared/api/annotations.js';

const run = promisify(execFile);

const highlight = (pageNumber: number): Annotation => ({
  id: '00000000-0000-4000-8000-000000000001',
  documentId: '00000000-0000-4000-8000-000000000002',
  pageNumber,
  version: 1,
  createdBy: '00000000-0000-4000-8000-000000000003',
  createdByName: 'Test',
  createdAt: '2026-11-28T00:00:00.000Z',
  updatedAt: '2026-11-28T00:00:00.000Z',
  type: 'highlight',
  // The top-right corner of the page as shown: only one quarter of it is inked.
  content: { x: 0.55, y: 0.05, width: 0.4, height: 0.3, color: '#ff0000' },
});

async function renderPages(pdf: Uint8Array, pages: number) {
  const dir = await mkdtemp(path.join(tmpdir(), 'medaius-burn-'));
  try {
    const file = path.join(dir, 'in.pdf');
    await writeFile(file, pdf);
    // -cropbox: show what a viewer shows (pdf.js uses the CropBox; pdftoppm by default not).
    await run('pdftoppm', ['-cropbox', '-r', '24', '-png', file, path.join(dir, 'p')]);
    const out = [];
    for (let n = 1; n <= pages; n++) {
      const { data, info } = await sharp(path.join(dir, `p-${n}.png`))
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const red = (u: number, v: number) => {
        const i = (Math.floor(v * info.height) * info.width + Math.floor(u * info.width)) * 3;
        return data[i]! > 200 && data[i + 1]! < 210 && data[i + 2]! < 210;
      };
      out.push({ width: info.width, height: info.height, red });
    }
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('burnInAnnotations', () => {
  it('inks the named spot of the page as shown, for every /Rotate and an offset CropBox', async () => {
    const doc = await PDFDocument.create();
    const rotations = [0, 90, 180, 270, -90, 450];
    for (const angle of rotations) {
      const page = doc.addPage([500, 300]);
      page.setRotation(degrees(angle));
    }
    // The last page shows only part of its MediaBox, offset from the origin.
    const cropped = doc.addPage([800, 800]);
    cropped.setCropBox(100, 200, 500, 300);
    const source = await doc.save();
    const annotations = Array.from({ length: rotations.length + 1 }, (_, i) => highlight(i + 1));

    const { pdf, omitted } = await burnInAnnotations(source, 'application/pdf', annotations);
    expect(omitted).toBe(0);
    const pages = await renderPages(pdf, rotations.length + 1);
    pages.forEach((page, i) => {
      const label = i < rotations.length ? `/Rotate ${rotations[i]}` : 'CropBox';
      const quarter = i < rotations.length && Math.abs(rotations[i]! % 180) === 90;
      expect(page.width < page.height, label).toBe(quarter);
      expect(page.red(0.75, 0.2), `${label}: inked top right`).toBe(true);
      for (const [u, v] of [
        [0.25, 0.2],
        [0.25, 0.8],
        [0.75, 0.8],
      ] as const) {
        expect(page.red(u, v), `${label}: (${u}, ${v}) clean`).toBe(false);
      }
    });
  });

  it('counts annotations on pages the document lacks instead of drawing them anywhere', async () => {
    const doc = await PDFDocument.create();
    doc.addPage([200, 200]);
    const { omitted, pageCount } = await burnInAnnotations(await doc.save(), 'application/pdf', [
      highlight(1),
      highlight(2),
    ]);
    expect({ omitted, pageCount }).toEqual({ omitted: 1, pageCount: 1 });
  });
});
