// Recognises a scanned PDF page: one JPEG drawn over the whole page and nothing else, which is
// what scanners, img2pdf and our own PDF assembly write. Its thumbnail can come from the JPEG
// itself: libvips decodes a 300 dpi page at 1/8 scale in milliseconds, where pdf.js decodes it
// in JavaScript at full size (about a second). Anything else on the page, or anything we are not
// sure about, answers undefined and the page goes to pdf.js.
import {
  decodePDFRawStream,
  ParseSpeeds,
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFName,
  PDFNumber,
  PDFRawStream,
  PDFRef,
  PDFStream,
  type PDFPage,
} from 'pdf-lib';

export interface ScannedPage {
  jpeg: Uint8Array;
  /** The page's /Rotate, clockwise. */
  rotation: 0 | 90 | 180 | 270;
  /** Page size in points before rotation. */
  width: number;
  height: number;
}

export async function scannedFirstPage(data: Uint8Array): Promise<ScannedPage | undefined> {
  let page: PDFPage;
  try {
    const doc = await PDFDocument.load(data, {
      updateMetadata: false,
      parseSpeed: ParseSpeeds.Fastest,
      // Otherwise pdf-lib logs each damaged object to the console and carries on.
      throwOnInvalidObject: true,
    });
    page = doc.getPage(0);
  } catch {
    // Encrypted, damaged or unusual files: pdf.js is the authority on those and will say so.
    return undefined;
  }
  return pageImage(page);
}

function pageImage(page: PDFPage): ScannedPage | undefined {
  try {
    if ((page.node.Annots()?.size() ?? 0) > 0) return undefined;
    const drawn = soleImageDraw(contentOf(page));
    if (drawn === undefined) return undefined;
    const image = page.node
      .Resources()
      ?.lookupMaybe(PDFName.of('XObject'), PDFDict)
      ?.lookup(PDFName.of(drawn.name));
    if (!(image instanceof PDFRawStream) || !isPlainJpeg(image)) return undefined;
    const box = page.getCropBox();
    if (!covers(drawn.matrix, box)) return undefined;
    const rotation = (((page.getRotation().angle % 360) + 360) % 360) as ScannedPage['rotation'];
    if (![0, 90, 180, 270].includes(rotation)) return undefined;
    return { jpeg: image.contents, rotation, width: box.width, height: box.height };
  } catch {
    // pdf-lib throws on objects of an unexpected type; such a page is not the simple case.
    return undefined;
  }
}

function contentOf(page: PDFPage): string {
  const contents = page.node.Contents();
  const streams =
    contents instanceof PDFArray
      ? contents.asArray().map((ref) => page.doc.context.lookup(ref))
      : [contents];
  return streams
    .map((stream) => {
      if (!(stream instanceof PDFRawStream)) throw new Error('unexpected content stream');
      return Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1');
    })
    .join('\n');
}

type Matrix = [number, number, number, number, number, number];
const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];

/** PDF's cm: the new matrix applies first, then the current one. */
function concat(m: Matrix, ctm: Matrix): Matrix {
  const [a, b, c, d, e, f] = m;
  const [A, B, C, D, E, F] = ctm;
  return [
    a * A + b * C,
    a * B + b * D,
    c * A + d * C,
    c * B + d * D,
    e * A + f * C + E,
    e * B + f * D + F,
  ];
}

const TOKEN = /\/[^\s/[\]()<>{}%]+|[-+]?(?:\d+\.?\d*|\.\d+)|[^\s/[\]()<>{}%\d+\-.]+|\S/g;

/**
 * The one image a content stream draws and the matrix it is drawn with, if the stream does only
 * q, Q, cm and a single Do: any text, path, colour or second XObject means undefined.
 */
function soleImageDraw(content: string): { name: string; matrix: Matrix } | undefined {
  const stack: Matrix[] = [];
  let ctm = IDENTITY;
  let operands: string[] = [];
  let drawn: { name: string; matrix: Matrix } | undefined;
  for (const [token] of content.matchAll(TOKEN)) {
    if (token.startsWith('/') || /^[-+.\d]/.test(token)) {
      operands.push(token);
      continue;
    }
    if (token === 'q' && operands.length === 0) stack.push(ctm);
    else if (token === 'Q' && operands.length === 0 && stack.length > 0) ctm = stack.pop()!;
    else if (token === 'cm' && operands.length === 6 && operands.every((o) => !o.startsWith('/'))) {
      ctm = concat(operands.map(Number) as Matrix, ctm);
    } else if (token === 'Do' && operands.length === 1 && drawn === undefined) {
      drawn = { name: operands[0]!.slice(1), matrix: ctm };
    } else return undefined;
    operands = [];
  }
  return operands.length === 0 ? drawn : undefined;
}

/** A baseline-decodable JPEG with nothing that changes its pixels on the way to the page. */
function isPlainJpeg(image: PDFRawStream): boolean {
  const dict = image.dict;
  const filter = dict.lookup(PDFName.of('Filter'));
  const filters = filter instanceof PDFArray ? filter.asArray() : [filter];
  if (filters.length !== 1 || filters[0] !== PDFName.of('DCTDecode')) return false;
  if (dict.lookup(PDFName.of('Subtype')) !== PDFName.of('Image')) return false;
  for (const key of ['SMask', 'Mask', 'Decode', 'ImageMask', 'DecodeParms']) {
    if (dict.has(PDFName.of(key))) return false;
  }
  const bits = dict.lookup(PDFName.of('BitsPerComponent'));
  return bits instanceof PDFNumber && bits.asNumber() === 8 && isGreyOrRgb(image);
}

/** CMYK JPEGs in PDFs are often stored inverted; leave colour spaces other than these to pdf.js. */
function isGreyOrRgb(image: PDFRawStream): boolean {
  const space = image.dict.lookup(PDFName.of('ColorSpace'));
  if (space === PDFName.of('DeviceRGB') || space === PDFName.of('DeviceGray')) return true;
  if (!(space instanceof PDFArray) || space.get(0) !== PDFName.of('ICCBased')) return false;
  const profileRef = space.get(1);
  const profile = profileRef instanceof PDFRef ? image.dict.context.lookup(profileRef) : profileRef;
  const components =
    profile instanceof PDFStream ? profile.dict.lookup(PDFName.of('N')) : undefined;
  return components instanceof PDFNumber && [1, 3].includes(components.asNumber());
}

/**
 * Whether the unit square drawn through this matrix is the crop box: upright, unflipped and
 * edge to edge within half a percent, so nothing is cropped and no page background shows.
 */
function covers(m: Matrix, box: { x: number; y: number; width: number; height: number }): boolean {
  const [a, b, c, d, e, f] = m;
  const near = (x: number, y: number, size: number): boolean =>
    Math.abs(x - y) <= Math.max(1, size * 0.005);
  return (
    Math.abs(b) < 1e-6 &&
    Math.abs(c) < 1e-6 &&
    a > 0 &&
    d > 0 &&
    near(e, box.x, box.width) &&
    near(f, box.y, box.height) &&
    near(e + a, box.x + box.width, box.width) &&
    near(f + d, box.y + box.height, box.height)
  );
}
