// Scanned page images into one PDF, each image placed in the PDF as the scanner wrote it.
// JPEG pages go in as DCTDecode streams, byte for byte, and stay in their files until the PDF is
// written (a FileImageStream): only their headers are read here, so a 100-page scan does not
// sit in memory twice. Line-art pages arrive as 1-bit PNG: a PNG's image data is a zlib stream
// with per-row predictors, which PDF's FlateDecode with /Predictor 15 reads directly, so those go
// in unchanged too — a letter page at 300 dpi is about 60 KB that way and keeps its sharp edges,
// where JPEG would blur the text and be larger.
import { open, readFile } from 'node:fs/promises';
import {
  concatTransformationMatrix,
  drawObject,
  JpegEmbedder,
  PDFContentStream,
  PDFDocument,
  popGraphicsState,
  pushGraphicsState,
  type PDFRef,
} from 'pdf-lib';
import { FileImageStream } from './pdf-writer.js';

export type PageImageFormat = 'jpeg' | 'png';

export interface PageImage {
  path: string;
  format: PageImageFormat;
  /** scan resolution; gives the page its size in points */
  dpi: number;
}

const PRODUCER = 'Medaius Scan & Records';
/** Enough of a JPEG to reach its frame header past the usual EXIF and ICC segments. */
const JPEG_HEAD_BYTES = 64 * 1024;

export async function assemblePdf(pages: readonly PageImage[]): Promise<PDFDocument> {
  const doc = await PDFDocument.create();
  doc.setProducer(PRODUCER);
  doc.setCreator(PRODUCER);
  for (const [index, page] of pages.entries()) {
    try {
      if (page.format === 'jpeg') await addJpegPage(doc, page.path, page.dpi);
      else await addPngPage(doc, await readFile(page.path), page.dpi);
    } catch (error) {
      throw new Error(`Page ${index + 1} cannot be added to the PDF: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  return doc;
}

const points = (pixels: number, dpi: number): number => (pixels * 72) / dpi;

/** The image dictionary pdf-lib's own JPEG embedding writes, over the file's bytes. */
async function addJpegPage(doc: PDFDocument, path: string, dpi: number): Promise<void> {
  const { head, size } = await readHead(path, JPEG_HEAD_BYTES);
  let jpeg;
  try {
    jpeg = await JpegEmbedder.for(head);
  } catch (error) {
    // The frame header lies beyond the head (a large embedded preview or profile).
    if (size <= head.length || !(error instanceof RangeError)) throw error;
    jpeg = await JpegEmbedder.for(new Uint8Array(await readFile(path)));
  }
  const dict = doc.context.obj({
    Type: 'XObject',
    Subtype: 'Image',
    BitsPerComponent: jpeg.bitsPerComponent,
    Width: jpeg.width,
    Height: jpeg.height,
    ColorSpace: jpeg.colorSpace,
    Filter: 'DCTDecode',
    // Adobe writes CMYK JPEGs inverted, and viewers expect them so.
    Decode: jpeg.colorSpace === 'DeviceCMYK' ? [1, 0, 1, 0, 1, 0, 1, 0] : undefined,
  });
  const image = doc.context.register(new FileImageStream(dict, path, size));
  addImagePage(doc, image, points(jpeg.width, dpi), points(jpeg.height, dpi));
}

/** The first `length` bytes of a file (in an array of their own, as pdf-lib's parser wants). */
async function readHead(path: string, length: number): Promise<{ head: Uint8Array; size: number }> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const head = new Uint8Array(Math.min(size, length));
    await file.read(head, 0, head.length, 0);
    return { head, size };
  } finally {
    await file.close();
  }
}

/**
 * A page that is the image, edge to edge. Its few bytes of drawing instructions are stored
 * uncompressed: pdf-lib would deflate each page's with a fresh compressor, and for 100 pages
 * that churn costs more than the whole write.
 */
function addImagePage(doc: PDFDocument, image: PDFRef, width: number, height: number): void {
  const page = doc.addPage([width, height]);
  const name = page.node.newXObject('Image', image);
  const drawing = PDFContentStream.of(
    doc.context.obj({}),
    [
      pushGraphicsState(),
      concatTransformationMatrix(width, 0, 0, height, 0, 0),
      drawObject(name),
      popGraphicsState(),
    ],
    false,
  );
  page.node.addContentStream(doc.context.register(drawing));
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
  addImagePage(doc, image, points(png.width, dpi), points(png.height, dpi));
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
