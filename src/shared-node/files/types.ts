// What the file checks know about a file, shared by the desktop main process (before it
// queues an upload) and the companion API (before it accepts one). Node-only: no DOM, no electron.

/** Size limits apply per kind; the kind follows from the detected type. */
export type FileKind = 'document' | 'photo' | 'imaging' | 'video';

export interface DetectedType {
  /** canonical MIME type, e.g. application/pdf */
  mime: string;
  /** canonical extension without the dot, e.g. pdf */
  ext: string;
  kind: FileKind;
  /** human name for messages, e.g. "PDF document" */
  label: string;
}

export interface FileLimits {
  maxBytes: Record<FileKind, number>;
  /** width × height above which an image is refused (decompression bombs) */
  maxPixels: number;
}

export const MiB = 1024 * 1024;

export const DEFAULT_FILE_LIMITS: FileLimits = {
  maxBytes: {
    document: 100 * MiB,
    photo: 100 * MiB,
    imaging: 5 * 1024 * MiB,
    video: 5 * 1024 * MiB,
  },
  maxPixels: 100_000_000,
};

export type FileProblemCode =
  | 'empty'
  | 'unknown_type'
  | 'executable'
  | 'type_mismatch'
  | 'too_large'
  | 'too_many_pixels'
  | 'corrupt'
  /** a PDF that needs a password to open: it cannot be checked, previewed or read by others */
  | 'password_protected'
  | 'bad_file_name';

/** A file that cannot be accepted; the message names the file and says why and what to do. */
export class FileProblem extends Error {
  override name = 'FileProblem';
  constructor(
    readonly code: FileProblemCode,
    readonly fileName: string,
    readonly reason: string,
  ) {
    super(`${fileName}: ${reason}`);
  }
}

export type ThumbnailStatus = 'ready' | 'unsupported' | 'failed' | 'pending';

export type ThumbnailResult =
  | { status: 'ready'; jpeg: Buffer; width: number; height: number }
  | { status: 'unsupported' | 'failed'; reason: string };
