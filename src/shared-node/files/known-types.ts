// The file types we accept, and the names (MIME types and extensions) that claim them. One table,
// so sniffing, name checks and upload checks cannot disagree about what "a JPEG" is.
import type { DetectedType } from './types.js';

export const FILE_TYPES = {
  pdf: { mime: 'application/pdf', ext: 'pdf', kind: 'document', label: 'PDF document' },
  jpeg: { mime: 'image/jpeg', ext: 'jpg', kind: 'photo', label: 'JPEG image' },
  png: { mime: 'image/png', ext: 'png', kind: 'photo', label: 'PNG image' },
  tiff: { mime: 'image/tiff', ext: 'tif', kind: 'photo', label: 'TIFF image' },
  webp: { mime: 'image/webp', ext: 'webp', kind: 'photo', label: 'WebP image' },
  heic: { mime: 'image/heic', ext: 'heic', kind: 'photo', label: 'HEIC photo' },
  dicom: { mime: 'application/dicom', ext: 'dcm', kind: 'imaging', label: 'DICOM file' },
  mp4: { mime: 'video/mp4', ext: 'mp4', kind: 'video', label: 'MP4 video' },
  quicktime: { mime: 'video/quicktime', ext: 'mov', kind: 'video', label: 'QuickTime movie' },
  text: { mime: 'text/plain', ext: 'txt', kind: 'document', label: 'plain text file' },
} as const satisfies Record<string, DetectedType>;

/** MIME types browsers, scanners and phones actually send, mapped to the type they mean. */
const MIME_ALIASES: Record<string, DetectedType> = {
  'application/pdf': FILE_TYPES.pdf,
  'application/x-pdf': FILE_TYPES.pdf,
  'image/jpeg': FILE_TYPES.jpeg,
  'image/jpg': FILE_TYPES.jpeg,
  'image/pjpeg': FILE_TYPES.jpeg,
  'image/png': FILE_TYPES.png,
  'image/x-png': FILE_TYPES.png,
  'image/tiff': FILE_TYPES.tiff,
  'image/tif': FILE_TYPES.tiff,
  'image/x-tiff': FILE_TYPES.tiff,
  'image/webp': FILE_TYPES.webp,
  'image/heic': FILE_TYPES.heic,
  'image/heif': FILE_TYPES.heic,
  'application/dicom': FILE_TYPES.dicom,
  'video/mp4': FILE_TYPES.mp4,
  'video/x-m4v': FILE_TYPES.mp4,
  'video/quicktime': FILE_TYPES.quicktime,
  'text/plain': FILE_TYPES.text,
};

const EXTENSIONS: Record<string, DetectedType> = {
  pdf: FILE_TYPES.pdf,
  jpg: FILE_TYPES.jpeg,
  jpeg: FILE_TYPES.jpeg,
  jpe: FILE_TYPES.jpeg,
  png: FILE_TYPES.png,
  tif: FILE_TYPES.tiff,
  tiff: FILE_TYPES.tiff,
  webp: FILE_TYPES.webp,
  heic: FILE_TYPES.heic,
  heif: FILE_TYPES.heic,
  dcm: FILE_TYPES.dicom,
  dicom: FILE_TYPES.dicom,
  mp4: FILE_TYPES.mp4,
  m4v: FILE_TYPES.mp4,
  mov: FILE_TYPES.quicktime,
  txt: FILE_TYPES.text,
};

/**
 * The type a Content-Type header claims, or undefined when it claims none (absent, empty or
 * application/octet-stream, which browsers send for "I don't know"). Unsupported types are
 * returned as null so callers can tell "not declared" from "declared as something we refuse".
 */
export function mimeType(contentType: string | undefined): DetectedType | null | undefined {
  const essence = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (essence === '' || essence === 'application/octet-stream') return undefined;
  return MIME_ALIASES[essence] ?? null;
}

export function typeOfExtension(ext: string): DetectedType | undefined {
  return EXTENSIONS[ext.toLowerCase()];
}

/**
 * Whether a claimed type fits the detected one. MP4 and QuickTime share one container format
 * and phones label them loosely, so a .mov holding MP4 (or the reverse) is not a mismatch.
 */
export function sameType(claimed: DetectedType, detected: DetectedType): boolean {
  if (claimed.mime === detected.mime) return true;
  return claimed.kind === 'video' && detected.kind === 'video';
}

/** "a PDF document", "an MP4 video": the type as it reads inside a sentence. */
export function aType(type: DetectedType): string {
  return `${/^(MP4|[AEIOU])/.test(type.label) ? 'an' : 'a'} ${type.label}`;
}

/** What we accept, for messages that tell the user what to convert to. */
export const ACCEPTED_SUMMARY = 'PDF, JPEG, PNG, TIFF, WebP, HEIC, DICOM, MP4/MOV or plain text';
