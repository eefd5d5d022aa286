// Scanned page images into one PDF, each image placed in the PDF as the scanner wrote it.
// JPEG pages go in as DCTDecode streams, byte for byte. Line-art pages arrive as 1-bit PNG:
// a PNG's image data is a zlib stream with per-row predictors, which PDF's FlateDecode with
// /Predictor 15 reads directly, so those go in unchanged too — a letter page at 300 dpi is
// about 60 KB that way and keeps its sharp edges, where JPEG would blur the text and be larger.
import { readFile } from 'node:fs/promises';
import {
  concatTransformationMatrix,
  drawObject,
  PDFDocument,
  popGraphicsState,
  pushGraphicsState,
} from 'pdf-lib';

export type PageImageFormat = 'jpeg' | 'png';

export interface PageImage {
  path: string;
  format: PageImageFormat;
  /** scan resolution; gives the page its size in points */
  dpi: number;
}

const PRODUCER = 'Medaius Scan & Records';

export async function assemblePdf(pages: readonly PageImage[]): Promise<PDFDocument> {
  const doc = await PDFDocument.create();
  doc.setProducer(PRODUCER);
  doc.setCreator(PRODUCER);
  for (const [index, page] of pages.entries()) {
    const bytes = await readFile(page.path);
    try {
      if (page.format === 'jpeg') await addJpegPage(doc, bytes, page.dpi);
      else await addPngPage(doc, bytes, page.dpi);
    } catch (error) {
      throw new Error(`Page ${index + 1} cannot be added to the PDF: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  return doc;
}

const points = (pixels: number, dpi: number): number => (pixels * 72) / dpi;

/** pdf-lib's JPEG embedding keeps the file's bytes as the image stream; it only reads the header. */
async function addJpegPage(doc: PDFDocument, bytes: Uint8Array, dpi: number): Promise<void> {
  const image = await doc.embedJpg(bytes);
  const width = points(image.width, dpi);
  const height = points(image.height, dpi);
  doc.addPage([width, height]).drawImage(image, { x: 0, y: 0, width, height });
}

async function addPngPage(doc: PDFDocument, bytes: Uint8Array, dpi: number): Promise<void> {
  const png = readPng(bytes);
  const colors = png.colorType === GREY ? 1 : 3;
  const image = doc.context.register(
    doc.context.stream(png.data, {
      Type: 'XObject',
      Subtype: 'Image',
      Width: png.width,
      Height: png.height,
      BitsPerComponent: png.bitDepth,
      ColorSpace: colors === 1 ? 'DeviceGray' : 'DeviceRGB',
      Filter: 'FlateDecode',
      DecodeParms: {
        Predictor: 15,
        Colors: colors,
        BitsPerComponent: png.bitDepth,
        Columns: png.width,
      },
    }),
  );
  const width = points(png.width, dpi);
  const height = points(png.height, dpi);
  const page = doc.addPage([width, height]);
  const name = page.node.newXObject('Image', image);
  page.pushOperators(
    pushGraphicsState(),
    concatTransformationMatrix(width, 0, 0, height, 0, 0),
    drawObject(name),
    popGraphicsState(),
  );
}

const GREY = 0;
const RGB = 2;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

interface PlainPng {
  width: number;
  height: number;
  bitDepth: number;
  colorType: typeof GREY | typeof RGB;
  /** the concatenated IDAT chunks: one zlib stream */
  data: Uint8Array;
}

/**
 * The parts of a PNG that PDF can use as they are. Scanners (and our own conversion of their
 * pages) write grey or RGB PNGs without transparency or interlacing; anything else is refused
 * rather than silently decoded and re-compressed.
 */
export function readPng(bytes: Uint8Array): PlainPng {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (!PNG_SIGNATURE.every((b, i) => buffer[i] === b)) throw new Error('not a PNG file');
  let header: Omit<PlainPng, 'data'> | undefined;
  const idat: Buffer[] = [];
  for (let at = 8; at + 12 <= buffer.length;) {
    const length = buffer.readUInt32BE(at);
    const type = buffer.toString('latin1', at + 4, at + 8);
    const body = buffer.subarray(at + 8, at + 8 + length);
    at += 12 + length;
    if (type === 'IHDR') {
      const colorType = body[9]!;
      const interlaced = body[12] !== 0;
      if (interlaced || (colorType !== GREY && colorType !== RGB)) {
        throw new Error('an interlaced, palette or alpha PNG cannot be placed in a PDF as it is');
      }
      header = {
        width: body.readUInt32BE(0),
        height: body.readUInt32BE(4),
        bitDepth: body[8]!,
        colorType,
      };
    } else if (type === 'tRNS') {
      throw new Error('a PNG with transparency cannot be placed in a PDF as it is');
    } else if (type === 'IDAT') {
      idat.push(body);
    } else if (type === 'IEND') {
      break;
    }
  }
  if (header === undefined || idat.length === 0) throw new Error('the PNG has no image data');
  return { ...header, data: idat.length === 1 ? idat[0]! : Buffer.concat(idat) };
}
