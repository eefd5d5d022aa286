// The one way every thumbnail ends: sized, flattened onto white and encoded as JPEG, so the UI
// gets the same kind of picture whatever the source was.
import type { ResizeOptions, Sharp } from 'sharp';
import type { ThumbnailResult } from './types.js';

export const DEFAULT_LONG_EDGE = 256;
const JPEG_QUALITY = 80;

/** Thrown by a thumbnailer when the file is fine but cannot be previewed here. */
export class PreviewUnsupported extends Error {
  override name = 'PreviewUnsupported';
}

/** Thrown by a thumbnailer that found the file damaged; the message is for the user. */
export class PreviewFailed extends Error {
  override name = 'PreviewFailed';
}

/** Fit inside a longEdge square without enlarging small pictures. */
export const fitInside = (longEdge: number): ResizeOptions => ({
  width: longEdge,
  height: longEdge,
  fit: 'inside',
  withoutEnlargement: true,
});

/** Thumbnail size of a page: the long edge exactly longEdge, the aspect ratio kept. */
export function pageSize(
  width: number,
  height: number,
  longEdge: number,
): { width: number; height: number } {
  const scale = longEdge / Math.max(width, height);
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

export async function encodeThumbnail(
  image: Sharp,
  resize: ResizeOptions,
): Promise<ThumbnailResult> {
  const { data, info } = await image
    .resize(resize)
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: JPEG_QUALITY })
    .toBuffer({ resolveWithObject: true });
  return { status: 'ready', jpeg: data, width: info.width, height: info.height };
}
