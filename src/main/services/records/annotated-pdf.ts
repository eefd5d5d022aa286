// Burns annotations into a PDF with pdf-lib. Annotations are fractions 0..1 of their page as it
// is shown (origin top-left, the page's /Rotate applied, images upright as their EXIF
// orientation shows them), so each point is mapped through the page's visible box and rotation
// into PDF user space; text is turned with the page so it reads upright where the viewer shows
// it. Images become a one-page PDF with the image as its page. Plain Node: no Electron.
import {
  degrees,
  lineTo,
  LineCapStyle,
  LineJoinStyle,
  moveTo,
  PDFDocument,
  popGraphicsState,
  pushGraphicsState,
  rgb,
  setLineCap,
  setLineJoin,
  setLineWidth,
  setStrokingRgbColor,
  StandardFonts,
  stroke,
  type PDFFont,
  type PDFPage,
  type RGB,
} from 'pdf-lib';
import sharp from 'sharp';
import type { Annotation } from '../../../shared/api/annotations.js';

export type Rotation = 0 | 90 | 180 | 270;

/** A page's visible box in PDF user space and how it is turned for display. */
export interface PageFrame {
  x: number;
  y: number;
  width: number;
  height: number;
  rotation: Rotation;
}

/** The content types whose pages this can draw on. */
export function canBurnIn(contentType: string): boolean {
  return contentType === 'application/pdf' || IMAGE_TYPES.has(contentType);
}

const IMAGE_TYPES = new Set([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/tiff',
  'image/gif',
  'image/avif',
  'image/heic',
  'image/heif',
]);

/** A PDF page (or an image's page) too big for PDF viewers is scaled down to this. */
const MAX_PAGE_POINTS = 14_400;

export interface BurnInResult {
  pdf: Uint8Array;
  pageCount: number;
  /** annotations on pages the document does not have, which could not be drawn */
  omitted: number;
}

/** The document's bytes with `annotations` drawn on their pages. */
export async function burnInAnnotations(
  bytes: Uint8Array,
  contentType: string,
  annotations: readonly Annotation[],
): Promise<BurnInResult> {
  const doc =
    contentType === 'application/pdf'
      ? await PDFDocument.load(bytes, { updateMetadata: false })
      : await pdfOfImage(bytes);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const pages = doc.getPages();
  let omitted = 0;
  for (const annotation of annotations) {
    const page = pages[annotation.pageNumber - 1];
    if (!page) {
      omitted++;
      continue;
    }
    drawAnnotation(page, frameOf(page), annotation, font);
  }
  return { pdf: await doc.save(), pageCount: pages.length, omitted };
}

/** A one-page PDF showing the image upright (EXIF orientation applied), 72 dpi unless it says. */
async function pdfOfImage(bytes: Uint8Array): Promise<PDFDocument> {
  const image = sharp(bytes, { failOn: 'none' });
  const meta = await image.metadata();
  const upright = (meta.orientation ?? 1) === 1;
  let embeddable: { data: Uint8Array; kind: 'jpeg' | 'png' };
  if (upright && meta.format === 'jpeg') embeddable = { data: bytes, kind: 'jpeg' };
  else if (upright && meta.format === 'png') embeddable = { data: bytes, kind: 'png' };
  else if (meta.format === 'jpeg') {
    embeddable = { data: await image.rotate().jpeg({ quality: 95 }).toBuffer(), kind: 'jpeg' };
  } else {
    embeddable = { data: await image.rotate().png().toBuffer(), kind: 'png' };
  }
  const doc = await PDFDocument.create();
  const embedded =
    embeddable.kind === 'jpeg'
      ? await doc.embedJpg(embeddable.data)
      : await doc.embedPng(embeddable.data);
  const perPixel = 72 / (meta.density && meta.density > 0 ? meta.density : 72);
  let width = embedded.width * perPixel;
  let height = embedded.height * perPixel;
  const shrink = Math.min(1, MAX_PAGE_POINTS / Math.max(width, height));
  width *= shrink;
  height *= shrink;
  const page = doc.addPage([width, height]);
  page.drawImage(embedded, { x: 0, y: 0, width, height });
  return doc;
}

/** The part of the page a viewer shows (CropBox within MediaBox) and its /Rotate. */
export function frameOf(page: PDFPage): PageFrame {
  const media = page.getMediaBox();
  const crop = page.getCropBox();
  const x = Math.max(media.x, crop.x);
  const y = Math.max(media.y, crop.y);
  const right = Math.min(media.x + media.width, crop.x + crop.width);
  const top = Math.min(media.y + media.height, crop.y + crop.height);
  const turned = (((Math.round(page.getRotation().angle / 90) * 90) % 360) + 360) % 360;
  return { x, y, width: right - x, height: top - y, rotation: turned as Rotation };
}

/** The page's size as displayed: width and height swap when it is turned a quarter. */
export function displayedSize(frame: PageFrame): { width: number; height: number } {
  const quarter = frame.rotation === 90 || frame.rotation === 270;
  return {
    width: quarter ? frame.height : frame.width,
    height: quarter ? frame.width : frame.height,
  };
}

/** A point given as fractions of the displayed page → PDF user space of the unturned page. */
export function toPdfPoint(frame: PageFrame, u: number, v: number): [number, number] {
  const { x, y, width: w, height: h } = frame;
  switch (frame.rotation) {
    case 0:
      return [x + u * w, y + (1 - v) * h];
    case 90:
      return [x + v * w, y + u * h];
    case 180:
      return [x + (1 - u) * w, y + v * h];
    case 270:
      return [x + (1 - v) * w, y + (1 - u) * h];
  }
}

function drawAnnotation(page: PDFPage, frame: PageFrame, a: Annotation, font: PDFFont): void {
  const shown = displayedSize(frame);
  switch (a.type) {
    case 'highlight': {
      const { x, y, width, height, color } = a.content;
      const [ax, ay] = toPdfPoint(frame, x, y);
      const [bx, by] = toPdfPoint(frame, x + width, y + height);
      page.drawRectangle({
        x: Math.min(ax, bx),
        y: Math.min(ay, by),
        width: Math.abs(bx - ax),
        height: Math.abs(by - ay),
        color: colorOf(color),
        opacity: 0.35,
      });
      return;
    }
    case 'freehand': {
      const { points, width, color } = a.content;
      drawStroke(
        page,
        points.map(([u, v]) => toPdfPoint(frame, u, v)),
        width * shown.width,
        colorOf(color),
      );
      return;
    }
    case 'marker': {
      const { x, y, label, color } = a.content;
      const radius = Math.max(3, shown.width * 0.008);
      const [cx, cy] = toPdfPoint(frame, x, y);
      page.drawCircle({
        x: cx,
        y: cy,
        size: radius,
        color: colorOf(color),
        borderColor: rgb(1, 1, 1),
        borderWidth: radius * 0.25,
      });
      if (label) {
        drawLines(page, frame, font, label, {
          u: x + (radius * 1.6) / shown.width,
          v: y - (radius * 0.9) / shown.height,
          color,
        });
      }
      return;
    }
    case 'text': {
      const { x, y, text, color } = a.content;
      drawLines(page, frame, font, text, { u: x, v: y, color });
      return;
    }
  }
}

/** One polyline with round caps and joins; a single point becomes a dot. */
function drawStroke(page: PDFPage, points: [number, number][], width: number, color: RGB): void {
  const [first, ...rest] = points;
  if (!first) return;
  const path = [moveTo(first[0], first[1])];
  if (rest.length === 0) path.push(lineTo(first[0] + 0.01, first[1]));
  for (const [px, py] of rest) path.push(lineTo(px, py));
  page.pushOperators(
    pushGraphicsState(),
    setStrokingRgbColor(color.red, color.green, color.blue),
    setLineWidth(Math.max(width, 0.5)),
    setLineCap(LineCapStyle.Round),
    setLineJoin(LineJoinStyle.Round),
    ...path,
    stroke(),
    popGraphicsState(),
  );
}

/**
 * Text whose top-left corner is at (u, v) of the displayed page, a line per line of `text`,
 * turned with the page so that it reads upright where the viewer shows it.
 */
function drawLines(
  page: PDFPage,
  frame: PageFrame,
  font: PDFFont,
  text: string,
  at: { u: number; v: number; color: string },
): void {
  const shown = displayedSize(frame);
  const size = Math.min(48, Math.max(8, shown.width * 0.018));
  const lineHeight = size * 1.2;
  const lines = encodable(font, text).split('\n');
  lines.forEach((line, i) => {
    // drawText places the baseline; the first baseline sits one font size below the top.
    const v = at.v + (size + i * lineHeight) / shown.height;
    const [px, py] = toPdfPoint(frame, at.u, v);
    page.drawText(line, {
      x: px,
      y: py,
      size,
      font,
      color: colorOf(at.color),
      rotate: degrees(frame.rotation),
    });
  });
}

/** The standard font writes WinAnsi only; other characters are shown as '?' rather than fail. */
function encodable(font: PDFFont, text: string): string {
  const known = new Set(font.getCharacterSet());
  let out = '';
  for (const char of text.replace(/\r\n?/g, '\n')) {
    const code = char.codePointAt(0)!;
    out += char === '\n' || known.has(code) ? char : '?';
  }
  return out;
}

function colorOf(hex: string): RGB {
  const n = Number.parseInt(hex.slice(1), 16);
  return rgb(((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255);
}
