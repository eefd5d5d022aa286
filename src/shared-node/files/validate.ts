// Whether a file may become a document: first its announced metadata (before any bytes are
// sent), then its real bytes. Every refusal is a FileProblem naming the file, the reason and,
// where there is one, what to do about it.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import { DicomHeaderError, imageSize, readDicomHeader, TRANSFER_SYNTAX } from './dicom.js';
import { aType, ACCEPTED_SUMMARY, FILE_TYPES, mimeType, sameType } from './known-types.js';
import {
  checkFileName,
  extensionOf,
  extensionType,
  printableName,
  programExtension,
} from './names.js';
import { inFileThread } from './file-thread.js';
import { hasPdfTrailer, pdfPagesHere, TRAILER_WINDOW } from './pdf.js';
import { describeContent, detectExecutable, detectType, HEAD_BYTES } from './sniff.js';
import { FileProblem, MiB, type DetectedType, type FileKind, type FileLimits } from './types.js';

export interface DeclaredFile {
  fileName: string;
  /** The Content-Type the sender announced, if any. */
  contentType?: string;
  size: number;
}

/**
 * Checks upload metadata before any bytes arrive, so a file that will be refused is refused
 * before it is sent. Returns the type the upload claims (from its Content-Type, else its name),
 * or undefined when it claims none; the bytes decide later either way.
 */
export function checkDeclared(
  { fileName, contentType, size }: DeclaredFile,
  limits: FileLimits,
): DetectedType | undefined {
  checkName(fileName);
  const name = printableName(fileName);
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new RangeError(`${name}: the announced size ${size} is not a byte count`);
  }
  if (size === 0) throw emptyFile(name);
  const declared = mimeType(contentType);
  if (declared === null) {
    throw new FileProblem(
      'unknown_type',
      name,
      `files of type ${contentType} are not accepted. Save it as ${ACCEPTED_SUMMARY} and try again.`,
    );
  }
  const byName = extensionType(fileName);
  if (declared !== undefined && byName !== undefined && !sameType(declared, byName)) {
    throw new FileProblem(
      'type_mismatch',
      name,
      `it is named .${extensionOf(fileName)} but announced as ${contentType}. Check that it is the file you meant to send.`,
    );
  }
  const claimed = declared ?? byName;
  checkSize(name, size, claimed, limits);
  return claimed;
}

export interface FileToValidate {
  path: string;
  /** The name the user knows the file by; messages use it, never the path. */
  fileName: string;
  /** The Content-Type the sender announced, if any. */
  declaredType?: string;
}

export interface ValidatedFile {
  type: DetectedType;
  size: number;
  /** For images and DICOM: as displayed (EXIF orientation applied). */
  width?: number;
  height?: number;
  /** PDF pages, multi-page TIFF pages or DICOM frames. */
  pages?: number;
}

/** Checks the real bytes: type by content, claims against it, size, and that it opens. */
export async function validateFile(
  { path, fileName, declaredType }: FileToValidate,
  limits: FileLimits,
): Promise<ValidatedFile> {
  checkName(fileName);
  const name = printableName(fileName);
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    if (size === 0) throw emptyFile(name);
    const type = identify(name, await readAt(file, 0, Math.min(size, HEAD_BYTES)));
    checkClaims(name, fileName, declaredType, type);
    checkSize(name, size, type, limits);
    return { type, size, ...(await inspect(name, path, file, size, type, limits)) };
  } finally {
    await file.close();
  }
}

function checkName(fileName: string): void {
  checkFileName(fileName);
  const ext = programExtension(fileName);
  if (ext !== undefined) {
    throw new FileProblem(
      'executable',
      printableName(fileName),
      `.${ext} files run as programs when opened, so they cannot be stored. If it really is a document, rename it with its proper extension.`,
    );
  }
}

const emptyFile = (name: string): FileProblem =>
  new FileProblem('empty', name, 'the file is empty (0 bytes). Scan or export it again.');

function identify(name: string, head: Buffer): DetectedType {
  const program = detectExecutable(head);
  if (program !== undefined) {
    throw new FileProblem(
      'executable',
      name,
      `it is ${program}, not a document, and cannot be uploaded.`,
    );
  }
  const type = detectType(head);
  if (type !== undefined) return type;
  const lookalike = describeContent(head);
  throw new FileProblem(
    'unknown_type',
    name,
    `${lookalike === undefined ? 'its content is not a file type we accept' : `it looks like ${lookalike}, which is not accepted`}. Save it as ${ACCEPTED_SUMMARY} and try again.`,
  );
}

/** The announced type and the name's extension must both agree with the content. */
function checkClaims(
  name: string,
  fileName: string,
  declaredType: string | undefined,
  type: DetectedType,
): void {
  const declared = mimeType(declaredType);
  if (declared === null || (declared !== undefined && !sameType(declared, type))) {
    throw new FileProblem(
      'type_mismatch',
      name,
      `it was sent as ${declaredType} but the content is ${aType(type)}. Check that it is the file you meant to send.`,
    );
  }
  const byName = extensionType(fileName);
  if (byName !== undefined && !sameType(byName, type)) {
    throw new FileProblem(
      'type_mismatch',
      name,
      `it is named .${extensionOf(fileName)} but the content is ${aType(type)}. Rename it to .${type.ext} if that is what it is, or export it again.`,
    );
  }
}

function checkSize(
  name: string,
  size: number,
  type: DetectedType | undefined,
  limits: FileLimits,
): void {
  const kinds = Object.keys(limits.maxBytes) as FileKind[];
  // Without a claimed type the kind is unknown: only the largest limit can be applied yet.
  const limit =
    type === undefined
      ? Math.max(...kinds.map((k) => limits.maxBytes[k]))
      : limits.maxBytes[type.kind];
  if (size > limit) {
    const what = type === undefined ? 'any file' : aType(type);
    throw new FileProblem(
      'too_large',
      name,
      `it is ${megabytes(size)}, but ${what} can be at most ${megabytes(limit)}. Split it or reduce its resolution.`,
    );
  }
}

const megabytes = (bytes: number): string => {
  const mb = bytes / MiB;
  return `${mb < 10 ? Number(mb.toFixed(1)) : Math.round(mb)} MB`;
};

type Details = Omit<ValidatedFile, 'type' | 'size'>;

/** Opens the file the way its viewer will, as far as that is cheap. */
function inspect(
  name: string,
  path: string,
  file: FileHandle,
  size: number,
  type: DetectedType,
  limits: FileLimits,
): Promise<Details> {
  if (type.mime === FILE_TYPES.pdf.mime) return inspectPdf(name, path, file, size);
  if (type.mime === FILE_TYPES.dicom.mime) return inspectDicom(name, file, size, limits);
  if (type.kind === 'photo') return inspectImage(name, path, type, limits);
  return Promise.resolve({});
}

/** Reads the header only (sharp metadata), so a pixel bomb is caught before it is decoded. */
async function inspectImage(
  name: string,
  path: string,
  type: DetectedType,
  limits: FileLimits,
): Promise<Details> {
  let metadata: Metadata;
  try {
    metadata = await sharp(path, { limitInputPixels: false }).metadata();
  } catch {
    throw new FileProblem(
      'corrupt',
      name,
      `it cannot be read as ${aType(type)}: the file is damaged. Scan or export it again.`,
    );
  }
  const { width, height } = metadata.autoOrient;
  checkPixels(name, width, height, limits);
  return { width, height, pages: metadata.pages ?? 1 };
}

function checkPixels(name: string, width: number, height: number, limits: FileLimits): void {
  if (width * height > limits.maxPixels) {
    const megapixels = Math.round((width * height) / 1e6);
    throw new FileProblem(
      'too_many_pixels',
      name,
      `it is ${width}×${height} pixels (${megapixels} megapixels); at most ${limits.maxPixels / 1e6} megapixels can be opened safely. Reduce its resolution.`,
    );
  }
}

const damagedPdf = (name: string, detail: string): FileProblem =>
  new FileProblem(
    'corrupt',
    name,
    `the PDF is truncated or damaged (${detail}). Export or scan it again; if it came by email or download, fetch it again.`,
  );

async function inspectPdf(
  name: string,
  path: string,
  file: FileHandle,
  size: number,
): Promise<Details> {
  const tail = await readAt(
    file,
    Math.max(0, size - TRAILER_WINDOW),
    Math.min(size, TRAILER_WINDOW),
  );
  if (!hasPdfTrailer(tail)) throw damagedPdf(name, 'it does not end with %%EOF');
  // pdf.js opens it on the file thread: a damaged one can take it seconds to rebuild.
  const outcome = (await inFileThread({ kind: 'pdf-pages', path })) ?? {
    result: await pdfPagesHere(path),
  };
  if ('stopped' in outcome) throw damagedPdf(name, outcome.stopped);
  const opened = outcome.result;
  if ('error' in opened) {
    if (opened.password) {
      throw new FileProblem(
        'password_protected',
        name,
        'the PDF needs a password to open, so nobody else could read it. Save a copy without the password and upload that.',
      );
    }
    throw damagedPdf(name, opened.error);
  }
  if (opened.pages < 1) throw damagedPdf(name, 'it has no pages');
  return { pages: opened.pages };
}

async function inspectDicom(
  name: string,
  file: FileHandle,
  size: number,
  limits: FileLimits,
): Promise<Details> {
  let header;
  try {
    header = await readDicomHeader(file, size);
  } catch (error) {
    if (!(error instanceof DicomHeaderError)) throw error;
    throw new FileProblem(
      'corrupt',
      name,
      `the DICOM header cannot be read (${error.message}). Export it from the imaging system again.`,
    );
  }
  const { pixelData, transferSyntax, dataSet } = header;
  const endsInFile =
    pixelData?.length === undefined ||
    transferSyntax === TRANSFER_SYNTAX.deflated ||
    pixelData.offset + pixelData.length <= size;
  if (!endsInFile) {
    throw new FileProblem(
      'corrupt',
      name,
      'the DICOM file is truncated: its image data ends after the file does. Export it from the imaging system again.',
    );
  }
  const image = imageSize(dataSet);
  if (image === undefined) return {};
  checkPixels(name, image.width, image.height, limits);
  return { width: image.width, height: image.height, pages: image.frames };
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/** SHA-256 of a file in hex, streamed so a 5 GB study never sits in memory. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
