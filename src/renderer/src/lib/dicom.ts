// Reads DICOM files for the viewer: which transfer syntaxes it can show, the key patient and study
// tags, the stored pixel values of each frame (uncompressed) or its JPEG bytes (JPEG baseline), and
// the window/level mapping from stored values to grey levels. Pure functions over bytes, so they
// run the same in the renderer and under Node in tests; decoding a JPEG frame needs the browser
// and lives in ./dicom-jpeg.ts.
import * as dicomParserModule from 'dicom-parser';
import type { DataSet, Element } from 'dicom-parser';

// dicom-parser is a UMD bundle: Vite exposes its functions as named exports, Node only as default.
const dicomParser: typeof dicomParserModule =
  (dicomParserModule as unknown as { default?: typeof dicomParserModule }).default ??
  dicomParserModule;

/** How the viewer gets a frame's pixels out of a file with this transfer syntax. */
export type PixelEncoding = 'native' | 'jpeg-baseline';

interface TransferSyntax {
  name: string;
  /** undefined: the viewer cannot display it. */
  encoding?: PixelEncoding;
  bigEndian?: boolean;
}

/** DICOM PS3.6 Annex A: the transfer syntaxes a user is likely to meet, by UID. */
export const TRANSFER_SYNTAXES: Readonly<Record<string, TransferSyntax>> = {
  '1.2.840.10008.1.2': { name: 'Implicit VR Little Endian', encoding: 'native' },
  '1.2.840.10008.1.2.1': { name: 'Explicit VR Little Endian', encoding: 'native' },
  '1.2.840.10008.1.2.2': {
    name: 'Explicit VR Big Endian',
    encoding: 'native',
    bigEndian: true,
  },
  '1.2.840.10008.1.2.1.99': { name: 'Deflated Explicit VR Little Endian' },
  '1.2.840.10008.1.2.4.50': { name: 'JPEG Baseline (Process 1)', encoding: 'jpeg-baseline' },
  '1.2.840.10008.1.2.4.51': { name: 'JPEG Extended (Process 2 & 4)' },
  '1.2.840.10008.1.2.4.57': { name: 'JPEG Lossless, Non-Hierarchical (Process 14)' },
  '1.2.840.10008.1.2.4.70': { name: 'JPEG Lossless, First-Order Prediction (Process 14 [SV1])' },
  '1.2.840.10008.1.2.4.80': { name: 'JPEG-LS Lossless' },
  '1.2.840.10008.1.2.4.81': { name: 'JPEG-LS Near-Lossless' },
  '1.2.840.10008.1.2.4.90': { name: 'JPEG 2000 (Lossless Only)' },
  '1.2.840.10008.1.2.4.91': { name: 'JPEG 2000' },
  '1.2.840.10008.1.2.4.201': { name: 'High-Throughput JPEG 2000 (Lossless Only)' },
  '1.2.840.10008.1.2.4.203': { name: 'High-Throughput JPEG 2000' },
  '1.2.840.10008.1.2.5': { name: 'RLE Lossless' },
  '1.2.840.10008.1.2.4.100': { name: 'MPEG2 Main Profile / Main Level' },
  '1.2.840.10008.1.2.4.102': { name: 'MPEG-4 AVC/H.264 High Profile' },
  '1.2.840.10008.1.2.4.201.1': { name: 'HEVC/H.265 Main Profile' },
};

export type DicomErrorCode =
  | 'not-dicom'
  | 'unsupported-transfer-syntax'
  | 'no-pixel-data'
  | 'unsupported-pixels'
  | 'truncated';

/** A file the viewer cannot show, with a message that says why and what to do. */
export class DicomError extends Error {
  override name = 'DicomError';
  constructor(
    message: string,
    readonly code: DicomErrorCode,
  ) {
    super(message);
  }
}

/** The tags shown beside the image, as display strings ('' when the file leaves one empty). */
export interface DicomTags {
  patientName: string;
  patientId: string;
  patientBirthDate: string;
  patientSex: string;
  studyDate: string;
  studyDescription: string;
  seriesDescription: string;
  modality: string;
  institutionName: string;
  accessionNumber: string;
}

export interface VoiWindow {
  center: number;
  width: number;
}

export interface DicomImage {
  transferSyntaxUid: string;
  transferSyntaxName: string;
  encoding: PixelEncoding;
  rows: number;
  columns: number;
  frames: number;
  samplesPerPixel: number;
  /** MONOCHROME1 shows low values white, MONOCHROME2 black; RGB / YBR_* are colour. */
  photometric: string;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: 0 | 1;
  planarConfiguration: 0 | 1;
  rescaleSlope: number;
  rescaleIntercept: number;
  /** The window the file recommends (its first one), in modality units. */
  window: VoiWindow | undefined;
  tags: DicomTags;
  /** @internal dicom-parser's data set: frames are read from it on demand. */
  dataSet: DataSet;
}

/** One frame ready for windowing: grey modality values, or interleaved 8-bit RGB. */
export type DicomFrame =
  | { kind: 'grey'; width: number; height: number; values: Float32Array; min: number; max: number }
  | { kind: 'rgb'; width: number; height: number; rgb: Uint8Array };

const TAG = {
  transferSyntax: 'x00020010',
  samplesPerPixel: 'x00280002',
  photometric: 'x00280004',
  planarConfiguration: 'x00280006',
  frames: 'x00280008',
  rows: 'x00280010',
  columns: 'x00280011',
  bitsAllocated: 'x00280100',
  bitsStored: 'x00280101',
  pixelRepresentation: 'x00280103',
  windowCenter: 'x00281050',
  windowWidth: 'x00281051',
  rescaleIntercept: 'x00281052',
  rescaleSlope: 'x00281053',
  pixelData: 'x7fe00010',
} as const;

/** Parses a DICOM Part 10 file; throws DicomError when the viewer cannot show its pixels. */
export function parseDicomImage(bytes: Uint8Array): DicomImage {
  const dataSet = readDataSet(bytes);
  const transferSyntaxUid = (dataSet.string(TAG.transferSyntax) ?? '1.2.840.10008.1.2').trim();
  const syntax = TRANSFER_SYNTAXES[transferSyntaxUid];
  if (!syntax?.encoding) {
    throw new DicomError(
      unsupportedSyntaxMessage(transferSyntaxUid),
      'unsupported-transfer-syntax',
    );
  }
  if (!dataSet.elements[TAG.pixelData]) {
    throw new DicomError(
      'This DICOM file has no image in it (no Pixel Data): it may be a report or a structured document.',
      'no-pixel-data',
    );
  }
  const image: DicomImage = {
    transferSyntaxUid,
    transferSyntaxName: syntax.name,
    encoding: syntax.encoding,
    rows: dataSet.uint16(TAG.rows) ?? 0,
    columns: dataSet.uint16(TAG.columns) ?? 0,
    frames: Math.max(1, dataSet.intString(TAG.frames) ?? 1),
    samplesPerPixel: dataSet.uint16(TAG.samplesPerPixel) ?? 1,
    photometric: (dataSet.string(TAG.photometric) ?? 'MONOCHROME2').trim().toUpperCase(),
    bitsAllocated: dataSet.uint16(TAG.bitsAllocated) ?? 8,
    bitsStored: dataSet.uint16(TAG.bitsStored) ?? dataSet.uint16(TAG.bitsAllocated) ?? 8,
    pixelRepresentation: dataSet.uint16(TAG.pixelRepresentation) === 1 ? 1 : 0,
    planarConfiguration: dataSet.uint16(TAG.planarConfiguration) === 1 ? 1 : 0,
    rescaleSlope: dataSet.floatString(TAG.rescaleSlope) ?? 1,
    rescaleIntercept: dataSet.floatString(TAG.rescaleIntercept) ?? 0,
    window: fileWindow(dataSet),
    tags: readTags(dataSet),
    dataSet,
  };
  checkPixelLayout(image);
  return image;
}

export function unsupportedSyntaxMessage(uid: string): string {
  const name = TRANSFER_SYNTAXES[uid]?.name ?? 'an unknown transfer syntax';
  return (
    `This DICOM image is stored as ${name} (${uid}), which the viewer cannot display. ` +
    'It shows uncompressed and JPEG baseline images; open this one in a DICOM workstation, ' +
    'or ask the sender for an uncompressed copy.'
  );
}

function readDataSet(bytes: Uint8Array): DataSet {
  const isPart10 =
    bytes.length > 132 &&
    String.fromCharCode(bytes[128] ?? 0, bytes[129] ?? 0, bytes[130] ?? 0, bytes[131] ?? 0) ===
      'DICM';
  if (!isPart10) {
    throw new DicomError(
      'This file is not a DICOM file: it lacks the "DICM" marker after its 128-byte preamble.',
      'not-dicom',
    );
  }
  try {
    return dicomParser.parseDicom(bytes);
  } catch (error) {
    // dicom-parser throws strings or {exception, dataSet}; say what it said.
    const reason =
      error instanceof Error
        ? error.message
        : typeof error === 'string'
          ? error
          : String((error as { exception?: unknown }).exception ?? error);
    throw new DicomError(`This DICOM file could not be read: ${reason}.`, 'truncated');
  }
}

function checkPixelLayout(image: DicomImage): void {
  const { rows, columns, samplesPerPixel, bitsAllocated, photometric } = image;
  const grey = samplesPerPixel === 1 && photometric.startsWith('MONOCHROME');
  const colour = samplesPerPixel === 3;
  if (rows === 0 || columns === 0) {
    throw new DicomError(
      'This DICOM image gives no size (Rows and Columns).',
      'unsupported-pixels',
    );
  }
  if (!grey && !colour) {
    throw new DicomError(
      `This DICOM image uses ${photometric} with ${samplesPerPixel} sample(s) per pixel, which the viewer cannot display.`,
      'unsupported-pixels',
    );
  }
  if (image.encoding === 'native') {
    const supported = colour ? bitsAllocated === 8 : bitsAllocated === 8 || bitsAllocated === 16;
    if (!supported) {
      throw new DicomError(
        `This DICOM image has ${bitsAllocated}-bit ${colour ? 'colour' : 'grey'} samples, which the viewer cannot display.`,
        'unsupported-pixels',
      );
    }
    if (colour && photometric !== 'RGB') {
      throw new DicomError(
        `This uncompressed DICOM image uses ${photometric} colour, which the viewer cannot display.`,
        'unsupported-pixels',
      );
    }
  }
}

function fileWindow(dataSet: DataSet): VoiWindow | undefined {
  const center = dataSet.floatString(TAG.windowCenter);
  const width = dataSet.floatString(TAG.windowWidth);
  if (center === undefined || width === undefined || !(width >= 1)) return undefined;
  return { center, width };
}

function readTags(dataSet: DataSet): DicomTags {
  const text = (tag: string) => (dataSet.string(tag) ?? '').trim();
  return {
    patientName: personName(text('x00100010')),
    patientId: text('x00100020'),
    patientBirthDate: dicomDate(text('x00100030')),
    patientSex: text('x00100040'),
    studyDate: dicomDate(text('x00080020')),
    studyDescription: text('x00081030'),
    seriesDescription: text('x0008103e'),
    modality: text('x00080060'),
    institutionName: text('x00080080'),
    accessionNumber: text('x00080050'),
  };
}

/** "Doe^Jane^^Dr" → "Jane Doe". */
export function personName(value: string): string {
  if (!value) return '';
  const [family = '', given = '', middle = ''] = value.split('=')[0]?.split('^') ?? [];
  return [given, middle, family]
    .map((part) => part.trim())
    .filter(Boolean)
    .join(' ');
}

/** "20240131" → "2024-01-31"; anything else as it is. */
export function dicomDate(value: string): string {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : value;
}

/** The bytes of one frame as stored: raw samples (native) or one JPEG stream (encapsulated). */
export function frameBytes(image: DicomImage, frameIndex: number): Uint8Array {
  if (frameIndex < 0 || frameIndex >= image.frames) {
    throw new RangeError(`Frame ${frameIndex + 1} does not exist: the image has ${image.frames}.`);
  }
  const { dataSet } = image;
  const element = dataSet.elements[TAG.pixelData] as Element;
  if (image.encoding === 'native') {
    const frameSize =
      (image.rows * image.columns * image.samplesPerPixel * image.bitsAllocated) / 8;
    const start = element.dataOffset + frameIndex * frameSize;
    if (
      start + frameSize > element.dataOffset + element.length ||
      start + frameSize > dataSet.byteArray.length
    ) {
      throw new DicomError(
        `This DICOM file ends before frame ${frameIndex + 1} of ${image.frames}: it is truncated.`,
        'truncated',
      );
    }
    return new Uint8Array(
      dataSet.byteArray.buffer,
      dataSet.byteArray.byteOffset + start,
      frameSize,
    );
  }
  return encapsulatedFrame(image, element, frameIndex);
}

function encapsulatedFrame(image: DicomImage, element: Element, frameIndex: number): Uint8Array {
  const { dataSet } = image;
  const fragments = element.fragments ?? [];
  if (fragments.length === 0) {
    throw new DicomError('This DICOM image has no compressed frames in it.', 'truncated');
  }
  if (image.frames === 1) {
    return toUint8(
      dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, 0, fragments.length),
    );
  }
  // One fragment per frame is what nearly every writer does, with or without an offset table.
  if ((element.basicOffsetTable ?? []).length === 0 && fragments.length === image.frames) {
    return toUint8(
      dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, frameIndex, 1),
    );
  }
  const offsets =
    (element.basicOffsetTable ?? []).length > 0
      ? element.basicOffsetTable
      : dicomParser.createJPEGBasicOffsetTable(dataSet, element);
  return toUint8(dicomParser.readEncapsulatedImageFrame(dataSet, element, frameIndex, offsets));
}

function toUint8(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Stored samples of an uncompressed frame → modality values (after Rescale Slope/Intercept) or
 * interleaved RGB. Bits above Bits Stored are masked off; signed values are sign-extended.
 */
export function nativeFrame(image: DicomImage, frameIndex: number): DicomFrame {
  const bytes = frameBytes(image, frameIndex);
  const width = image.columns;
  const height = image.rows;
  if (image.samplesPerPixel === 3) {
    if (image.planarConfiguration === 0) return { kind: 'rgb', width, height, rgb: bytes.slice() };
    const plane = width * height;
    const rgb = new Uint8Array(plane * 3);
    for (let i = 0; i < plane; i++) {
      rgb[i * 3] = bytes[i] ?? 0;
      rgb[i * 3 + 1] = bytes[plane + i] ?? 0;
      rgb[i * 3 + 2] = bytes[2 * plane + i] ?? 0;
    }
    return { kind: 'rgb', width, height, rgb };
  }
  const count = width * height;
  const stored = new Float32Array(count);
  const bigEndian = TRANSFER_SYNTAXES[image.transferSyntaxUid]?.bigEndian === true;
  const bits = Math.min(image.bitsStored, image.bitsAllocated);
  const mask = bits >= 32 ? 0xffffffff : 2 ** bits - 1;
  const signBit = 2 ** (bits - 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) {
    let raw = image.bitsAllocated === 16 ? view.getUint16(i * 2, !bigEndian) : (bytes[i] ?? 0);
    raw &= mask;
    if (image.pixelRepresentation === 1 && raw >= signBit) raw -= 2 * signBit;
    stored[i] = raw;
  }
  return greyFrame(width, height, stored, image);
}

/**
 * A decoded JPEG frame (RGBA, as a canvas gives it) → a frame: grey images keep one channel as
 * their stored values, colour ones their RGB (the browser's decoder has already turned YBR into RGB).
 */
export function frameFromRgba(
  image: DicomImage,
  rgba: Uint8ClampedArray | Uint8Array,
  width: number,
  height: number,
): DicomFrame {
  const count = width * height;
  if (image.samplesPerPixel === 3) {
    const rgb = new Uint8Array(count * 3);
    for (let i = 0; i < count; i++) {
      rgb[i * 3] = rgba[i * 4] ?? 0;
      rgb[i * 3 + 1] = rgba[i * 4 + 1] ?? 0;
      rgb[i * 3 + 2] = rgba[i * 4 + 2] ?? 0;
    }
    return { kind: 'rgb', width, height, rgb };
  }
  const stored = new Float32Array(count);
  for (let i = 0; i < count; i++) stored[i] = rgba[i * 4] ?? 0;
  return greyFrame(width, height, stored, image);
}

function greyFrame(
  width: number,
  height: number,
  stored: Float32Array,
  image: DicomImage,
): DicomFrame {
  const { rescaleSlope: slope, rescaleIntercept: intercept } = image;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < stored.length; i++) {
    const value = (stored[i] ?? 0) * slope + intercept;
    stored[i] = value;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return { kind: 'grey', width, height, values: stored, min, max };
}

/** The window a frame opens with: the file's own, else one spanning the frame's values. */
export function initialWindow(image: DicomImage, frame: DicomFrame): VoiWindow {
  if (image.window) return image.window;
  return fullRangeWindow(frame);
}

export function fullRangeWindow(frame: DicomFrame): VoiWindow {
  if (frame.kind === 'rgb') return { center: 127.5, width: 256 };
  const width = Math.max(1, frame.max - frame.min + 1);
  return { center: frame.min + (width - 1) / 2 + 0.5, width };
}

/** Grey level 0..255 of a modality value under a window (DICOM PS3.3 C.11.2.1.2.1, linear). */
export function windowLevel(value: number, window: VoiWindow): number {
  const width = Math.max(1, window.width);
  const low = window.center - 0.5 - (width - 1) / 2;
  const high = window.center - 0.5 + (width - 1) / 2;
  if (value <= low) return 0;
  if (value > high) return 255;
  return Math.round(((value - (window.center - 0.5)) / (width - 1) + 0.5) * 255);
}

/**
 * The RGBA pixels a canvas shows for a frame under a window. Grey frames go through the window
 * (inverted for MONOCHROME1); colour frames through the same mapping per channel, so dragging
 * still changes contrast and brightness.
 */
export function renderFrame(
  image: DicomImage,
  frame: DicomFrame,
  window: VoiWindow,
): Uint8ClampedArray {
  const count = frame.width * frame.height;
  const out = new Uint8ClampedArray(count * 4);
  // A lookup table per 8-bit input is cheaper than the formula per channel.
  if (frame.kind === 'rgb') {
    const table = new Uint8ClampedArray(256);
    for (let v = 0; v < 256; v++) table[v] = windowLevel(v, window);
    for (let i = 0; i < count; i++) {
      out[i * 4] = table[frame.rgb[i * 3] ?? 0] ?? 0;
      out[i * 4 + 1] = table[frame.rgb[i * 3 + 1] ?? 0] ?? 0;
      out[i * 4 + 2] = table[frame.rgb[i * 3 + 2] ?? 0] ?? 0;
      out[i * 4 + 3] = 255;
    }
    return out;
  }
  const invert = image.photometric === 'MONOCHROME1';
  for (let i = 0; i < count; i++) {
    const level = windowLevel(frame.values[i] ?? 0, window);
    const grey = invert ? 255 - level : level;
    out[i * 4] = grey;
    out[i * 4 + 1] = grey;
    out[i * 4 + 2] = grey;
    out[i * 4 + 3] = 255;
  }
  return out;
}

/**
 * Dragging changes the window as radiology viewers do: right widens it (less contrast), down
 * raises the centre (darker). One screen pixel moves it by 1/256 of the frame's value range.
 */
export function dragWindow(start: VoiWindow, dx: number, dy: number, frame: DicomFrame): VoiWindow {
  const range = frame.kind === 'grey' ? Math.max(1, frame.max - frame.min) : 255;
  const step = range / 256;
  return {
    center: start.center + dy * step,
    width: Math.max(1, start.width + dx * step),
  };
}

export interface WindowPreset {
  name: string;
  window: VoiWindow;
}

/** Named windows for the modality: CT's standard Hounsfield windows; none for others. */
export function windowPresets(image: DicomImage): WindowPreset[] {
  if (image.tags.modality !== 'CT') return [];
  return [
    { name: 'Soft tissue', window: { center: 40, width: 400 } },
    { name: 'Lung', window: { center: -600, width: 1500 } },
    { name: 'Bone', window: { center: 400, width: 1800 } },
    { name: 'Brain', window: { center: 40, width: 80 } },
  ];
}
