// A DICOM image's first frame as a picture: uncompressed frames go through the modality and VOI
// transforms a viewer would apply, JPEG baseline frames straight to libvips. Other compressions
// are named, not guessed at.
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { DataSet } from 'dicom-parser';
import sharp, { type Sharp } from 'sharp';
import { imageSize, readDicomHeader, TRANSFER_SYNTAX, type DicomHeader } from './dicom.js';
import {
  encodeThumbnail,
  fitInside,
  PreviewFailed,
  PreviewUnsupported,
} from './thumbnail-output.js';
import type { ThumbnailResult } from './types.js';

/** Names for the transfer syntaxes people meet, so "unsupported" says which one. */
const SYNTAX_NAMES: Record<string, string> = {
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (12-bit)',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless (first-order prediction)',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.4.201': 'High-Throughput JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.203': 'High-Throughput JPEG 2000',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
  '1.2.840.10008.1.2.4.100': 'MPEG-2 video',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264 video',
  '1.2.840.10008.1.2.4.107': 'HEVC/H.265 video',
};

function transferSyntaxName(uid: string): string {
  const name = SYNTAX_NAMES[uid];
  return name === undefined ? `transfer syntax ${uid}` : `${name} (${uid})`;
}

export async function dicomThumbnail(
  path: string,
  longEdge: number,
  maxPixels: number,
): Promise<ThumbnailResult> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const header = await readDicomHeader(file, size);
    return await encodeThumbnail(await firstFrame(file, header, maxPixels), fitInside(longEdge));
  } finally {
    await file.close();
  }
}

async function firstFrame(
  file: FileHandle,
  header: DicomHeader,
  maxPixels: number,
): Promise<Sharp> {
  if (header.pixelData === undefined) {
    throw new PreviewUnsupported(
      header.complete
        ? 'the DICOM file holds no image (it may be a report or an embedded document)'
        : 'the DICOM file has no image within its first megabytes',
    );
  }
  const size = imageSize(header.dataSet);
  if (size === undefined)
    throw new PreviewFailed('the DICOM header has no image size (Rows, Columns)');
  if (size.width * size.height > maxPixels) {
    throw new PreviewUnsupported(
      `the image is ${size.width}×${size.height} pixels, too large to preview`,
    );
  }
  switch (header.transferSyntax) {
    case TRANSFER_SYNTAX.implicitLittle:
    case TRANSFER_SYNTAX.explicitLittle:
      return uncompressedFrame(file, header.dataSet, header.pixelData, size);
    case TRANSFER_SYNTAX.jpegBaseline:
      return jpegFrame(file, header.dataSet, header.pixelData.offset);
    default:
      throw new PreviewUnsupported(
        `the image is stored as ${transferSyntaxName(header.transferSyntax)}, which cannot be previewed here; the file itself is kept`,
      );
  }
}

interface PixelFormat {
  photometric: string;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  signed: boolean;
  planar: boolean;
}

function pixelFormat(dataSet: DataSet): PixelFormat {
  const bitsAllocated = dataSet.uint16('x00280100') ?? 8;
  return {
    photometric: (dataSet.string('x00280004') ?? 'MONOCHROME2').toUpperCase(),
    samplesPerPixel: dataSet.uint16('x00280002') ?? 1,
    bitsAllocated,
    bitsStored: dataSet.uint16('x00280101') ?? bitsAllocated,
    signed: dataSet.uint16('x00280103') === 1,
    planar: dataSet.uint16('x00280006') === 1,
  };
}

const isMonochrome = (f: PixelFormat): boolean =>
  (f.photometric === 'MONOCHROME1' || f.photometric === 'MONOCHROME2') &&
  f.samplesPerPixel === 1 &&
  (f.bitsAllocated === 8 || f.bitsAllocated === 16);

const isRgb8 = (f: PixelFormat): boolean =>
  f.photometric === 'RGB' && f.samplesPerPixel === 3 && f.bitsAllocated === 8;

async function uncompressedFrame(
  file: FileHandle,
  dataSet: DataSet,
  pixelData: { offset: number; length: number | undefined },
  size: { width: number; height: number },
): Promise<Sharp> {
  const format = pixelFormat(dataSet);
  if (!isMonochrome(format) && !isRgb8(format)) {
    throw new PreviewUnsupported(
      `${format.photometric} images with ${format.samplesPerPixel} × ${format.bitsAllocated}-bit samples cannot be previewed here`,
    );
  }
  const pixels = size.width * size.height;
  const frameBytes = (pixels * format.samplesPerPixel * format.bitsAllocated) / 8;
  // Buffer.alloc is never pooled, so the 16-bit view below starts aligned.
  const frame = Buffer.alloc(frameBytes);
  const { bytesRead } = await file.read(frame, 0, frameBytes, pixelData.offset);
  if (bytesRead < frameBytes || (pixelData.length ?? frameBytes) < frameBytes) {
    throw new PreviewFailed('the DICOM file is truncated: its first frame is incomplete');
  }
  const raw = { width: size.width, height: size.height };
  if (isRgb8(format)) {
    const rgb = format.planar ? interleave(frame, pixels) : frame;
    return sharp(rgb, { raw: { ...raw, channels: 3 } });
  }
  // DICOM little endian matches every platform Electron and our server run on.
  const stored =
    format.bitsAllocated === 16
      ? new Uint16Array(frame.buffer, frame.byteOffset, pixels)
      : new Uint8Array(frame.buffer, frame.byteOffset, pixels);
  const grey = displayLevels(stored, format, dataSet);
  return sharp(grey, { raw: { ...raw, channels: 1 } });
}

/** Planar configuration 1 stores all reds, then greens, then blues; libvips wants RGBRGB. */
function interleave(planes: Buffer, pixels: number): Buffer {
  const rgb = Buffer.alloc(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    rgb[i * 3] = planes[i]!;
    rgb[i * 3 + 1] = planes[pixels + i]!;
    rgb[i * 3 + 2] = planes[2 * pixels + i]!;
  }
  return rgb;
}

/**
 * 8-bit grey levels as a viewer would show them: stored values → Rescale Slope/Intercept →
 * Window Center/Width (DICOM PS3.3 C.11.2.1.2.1), or the frame's own range when no window is
 * given; MONOCHROME1 is inverted because its zero is white.
 */
function displayLevels(
  stored: Uint8Array | Uint16Array,
  format: PixelFormat,
  dataSet: DataSet,
): Uint8Array {
  const slope = dataSet.floatString('x00281053') ?? 1;
  const intercept = dataSet.floatString('x00281052') ?? 0;
  const range = 2 ** format.bitsStored;
  const mask = range - 1;
  const signBit = range / 2;
  const modality = (raw: number): number => {
    const value = raw & mask;
    return (format.signed && value >= signBit ? value - range : value) * slope + intercept;
  };
  const { low, high } = voiRange(dataSet) ?? valueRange(stored, modality);
  const span = high - low;
  const invert = format.photometric === 'MONOCHROME1';
  const out = new Uint8Array(stored.length);
  for (let i = 0; i < stored.length; i++) {
    const x = modality(stored[i]!);
    const level =
      span > 0 ? Math.min(255, Math.max(0, ((x - low) / span) * 255)) : x > low ? 255 : 0;
    out[i] = Math.round(invert ? 255 - level : level);
  }
  return out;
}

/** The first Window Center/Width pair as the values mapped to black and white. */
function voiRange(dataSet: DataSet): { low: number; high: number } | undefined {
  const center = dataSet.floatString('x00281050');
  const width = dataSet.floatString('x00281051');
  if (center === undefined || width === undefined || !(width >= 1)) return undefined;
  // The standard's linear function maps c - 0.5 ± (w - 1) / 2 to the output's ends.
  return { low: center - 0.5 - (width - 1) / 2, high: center - 0.5 + (width - 1) / 2 };
}

function valueRange(
  stored: Uint8Array | Uint16Array,
  modality: (raw: number) => number,
): { low: number; high: number } {
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < stored.length; i++) {
    const x = modality(stored[i]!);
    if (x < low) low = x;
    if (x > high) high = x;
  }
  return { low, high };
}

const ITEM = 0xe000fffe;
const SEQUENCE_END = 0xe0ddfffe;
/** A JPEG frame bigger than this is not one a thumbnailer should be holding in memory. */
const MAX_JPEG_FRAME_BYTES = 256 * 1024 * 1024;

/**
 * Encapsulated pixel data is a run of items: the basic offset table, then fragments. Frame 1 is
 * the fragments up to the first that ends the JPEG stream (EOI), which also covers encoders that
 * split one frame over several fragments.
 */
async function jpegFrame(file: FileHandle, dataSet: DataSet, offset: number): Promise<Sharp> {
  const fragments: Buffer[] = [];
  let total = 0;
  let position = offset;
  let isOffsetTable = true;
  const itemHeader = Buffer.alloc(8);
  for (;;) {
    const { bytesRead } = await file.read(itemHeader, 0, 8, position);
    if (bytesRead < 8) throw new PreviewFailed('the DICOM file is truncated inside its image data');
    const tag = itemHeader.readUInt32LE(0);
    const length = itemHeader.readUInt32LE(4);
    position += 8;
    if (tag === SEQUENCE_END) break;
    if (tag !== ITEM) throw new PreviewFailed('the DICOM image data is damaged (expected an item)');
    if (!isOffsetTable) {
      total += length;
      if (total > MAX_JPEG_FRAME_BYTES)
        throw new PreviewUnsupported('the first frame is too large to preview');
      const fragment = Buffer.alloc(length);
      const read = await file.read(fragment, 0, length, position);
      if (read.bytesRead < length)
        throw new PreviewFailed('the DICOM file is truncated inside its image data');
      fragments.push(fragment);
      if (endsJpeg(fragment)) break;
    }
    isOffsetTable = false;
    position += length;
  }
  if (fragments.length === 0) throw new PreviewFailed('the DICOM image data holds no frame');
  const image = sharp(Buffer.concat(fragments), { failOn: 'error' });
  return pixelFormat(dataSet).photometric === 'MONOCHROME1' ? image.negate() : image;
}

/** Fragments are padded to even length, so EOI (FF D9) may be followed by one zero byte. */
function endsJpeg(fragment: Buffer): boolean {
  const end = fragment.at(-1) === 0 ? fragment.length - 1 : fragment.length;
  return end >= 2 && fragment[end - 2] === 0xff && fragment[end - 1] === 0xd9;
}
