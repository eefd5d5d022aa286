// Thumbnails for every accepted type, as JPEG. A file that cannot be previewed is a status, not
// an exception: the document is kept and shown with a generic icon, so this never throws.
import sharp from 'sharp';
import { dicomThumbnail } from './dicom-thumbnail.js';
import { FILE_TYPES } from './known-types.js';
import { pdfThumbnail } from './pdf-thumbnail.js';
import { inFileThread } from './file-thread.js';
import {
  DEFAULT_LONG_EDGE,
  encodeThumbnail,
  fitInside,
  PreviewFailed,
  PreviewUnsupported,
} from './thumbnail-output.js';
import { DEFAULT_FILE_LIMITS, type DetectedType, type ThumbnailResult } from './types.js';

export interface ThumbnailOptions {
  /** Longest side of the thumbnail in pixels; pages are scaled to exactly this. */
  longEdge?: number;
  /** Images larger than this are not decoded (the same guard as FileLimits.maxPixels). */
  maxPixels?: number;
}

/**
 * The thumbnail of the file at `path`. PDFs and DICOM are drawn on the file thread
 * (file-thread.ts), so the caller's event loop keeps answering meanwhile.
 */
export async function makeThumbnail(
  path: string,
  type: DetectedType,
  options: ThumbnailOptions = {},
): Promise<ThumbnailResult> {
  if (type.mime === FILE_TYPES.pdf.mime || type.mime === FILE_TYPES.dicom.mime) {
    const drawn = await inFileThread({ kind: 'thumbnail', path, type, options });
    if (drawn && 'stopped' in drawn) return { status: 'failed', reason: drawn.stopped };
    if (drawn) {
      const { result } = drawn;
      // A Buffer arrives from the thread as a plain Uint8Array: a Buffer again, not copied.
      if (result.status !== 'ready') return result;
      const { buffer, byteOffset, byteLength } = result.jpeg;
      return { ...result, jpeg: Buffer.from(buffer, byteOffset, byteLength) };
    }
  }
  return makeThumbnailHere(path, type, options);
}

/** makeThumbnail on the calling thread (the thumbnail thread's own work). */
export async function makeThumbnailHere(
  path: string,
  type: DetectedType,
  {
    longEdge = DEFAULT_LONG_EDGE,
    maxPixels = DEFAULT_FILE_LIMITS.maxPixels,
  }: ThumbnailOptions = {},
): Promise<ThumbnailResult> {
  try {
    return await thumbnailOf(path, type, longEdge, maxPixels);
  } catch (error) {
    if (error instanceof PreviewUnsupported) {
      return { status: 'unsupported', reason: error.message };
    }
    return { status: 'failed', reason: failureReason(error, path, type) };
  }
}

function thumbnailOf(
  path: string,
  type: DetectedType,
  longEdge: number,
  maxPixels: number,
): Promise<ThumbnailResult> {
  if (type.mime === FILE_TYPES.pdf.mime) return pdfThumbnail(path, longEdge);
  if (type.mime === FILE_TYPES.dicom.mime) return dicomThumbnail(path, longEdge, maxPixels);
  if (type.mime === FILE_TYPES.heic.mime) return heicThumbnail(path, longEdge, maxPixels);
  if (type.kind === 'photo') return imageThumbnail(path, longEdge, maxPixels);
  if (type.kind === 'video') {
    throw new PreviewUnsupported('videos are stored without a preview picture');
  }
  throw new PreviewUnsupported(`a preview is not made for ${type.label}s`);
}

/**
 * Passing the path (not a decoded buffer) lets libvips shrink JPEGs while decoding them, and
 * rotate() applies the EXIF orientation so portrait photos stay portrait.
 */
function imageThumbnail(
  path: string,
  longEdge: number,
  maxPixels: number,
): Promise<ThumbnailResult> {
  // 'error', not the default 'warning': cameras write JPEGs with harmless warnings that
  // browsers display without complaint.
  const image = sharp(path, { limitInputPixels: maxPixels, failOn: 'error' }).rotate();
  return encodeThumbnail(image, fitInside(longEdge));
}

/** sharp's prebuilt libvips has no HEVC decoder, so most iPhone photos cannot be drawn. */
async function heicThumbnail(
  path: string,
  longEdge: number,
  maxPixels: number,
): Promise<ThumbnailResult> {
  try {
    return await imageThumbnail(path, longEdge, maxPixels);
  } catch (error) {
    if (/not been built in|unsupported codec|no decoding plugin/i.test((error as Error).message)) {
      throw new PreviewUnsupported(
        'this HEIC photo is HEVC-compressed, which cannot be previewed on this computer; the photo itself is kept',
      );
    }
    throw error;
  }
}

/** Our own failures already read well; library errors get the type and their last line. */
function failureReason(error: unknown, path: string, type: DetectedType): string {
  if (error instanceof PreviewFailed) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  // libvips prefixes the path and stacks one line per attempt; the last says what went wrong.
  const lines = message.split('\n').map((line) => line.replaceAll(`${path}: `, '').trim());
  const detail = lines.filter((line) => line !== '').at(-1) ?? 'unknown error';
  return `the ${type.label} cannot be read: ${detail}`;
}
