// A PDF's first page as a thumbnail. Scanned pages come from their JPEG (see scanned-page.ts);
// every other page is rendered by pdf.js straight at thumbnail size.
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { isPasswordError, openPdf } from './pdf.js';
import { scannedFirstPage } from './scanned-page.js';
import {
  encodeThumbnail,
  pageSize,
  PreviewFailed,
  PreviewUnsupported,
} from './thumbnail-output.js';
import type { ThumbnailResult } from './types.js';

export async function pdfThumbnail(path: string, longEdge: number): Promise<ThumbnailResult> {
  const bytes = await readFile(path);
  const data = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  const scanned = await scannedFirstPage(data);
  if (scanned === undefined) return renderFirstPage(data, longEdge);
  const upright = scanned.rotation % 180 === 0;
  const size = upright
    ? pageSize(scanned.width, scanned.height, longEdge)
    : pageSize(scanned.height, scanned.width, longEdge);
  // No auto-orientation: PDF viewers ignore EXIF inside a page's JPEG, and so must we.
  const image = sharp(scanned.jpeg, { failOn: 'error' }).rotate(scanned.rotation);
  return encodeThumbnail(image, { ...size, fit: 'fill' });
}

/** What pdf.js's Node canvas factory hands out; its type is not exported. */
interface CanvasAndContext {
  canvas: unknown;
  context: {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
}
interface CanvasFactory {
  create(width: number, height: number): CanvasAndContext;
  destroy(canvasAndContext: CanvasAndContext): void;
}

async function renderFirstPage(data: Uint8Array, longEdge: number): Promise<ThumbnailResult> {
  let doc;
  try {
    doc = await openPdf(data);
  } catch (error) {
    if (isPasswordError(error)) {
      throw new PreviewUnsupported('the PDF is password-protected, so its pages cannot be shown');
    }
    throw new PreviewFailed(`the PDF cannot be read: ${(error as Error).message}`);
  }
  try {
    const page = await doc.getPage(1);
    const natural = page.getViewport({ scale: 1 });
    const size = pageSize(natural.width, natural.height, longEdge);
    // Rendering at the final size costs a fraction of rendering at print resolution and scaling.
    const viewport = page.getViewport({
      scale: longEdge / Math.max(natural.width, natural.height),
    });
    // pdf.js's own factory: it loads the @napi-rs/canvas that pdf.js itself draws with.
    const factory = doc.canvasFactory as CanvasFactory;
    const target = factory.create(size.width, size.height);
    try {
      await page.render({
        canvas: target.canvas as never,
        canvasContext: target.context as never,
        viewport,
        background: '#ffffff',
      }).promise;
      const { data: rgba } = target.context.getImageData(0, 0, size.width, size.height);
      const raw = { width: size.width, height: size.height, channels: 4 as const };
      return await encodeThumbnail(sharp(rgba, { raw }), { ...size, fit: 'fill' });
    } finally {
      factory.destroy(target);
    }
  } finally {
    await doc.destroy();
  }
}
