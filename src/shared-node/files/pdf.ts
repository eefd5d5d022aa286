// pdf.js set up for Node (Electron main and the API server): no DOM, no worker thread, no eval,
// and its font, CMap and decoder data read from the installed pdfjs-dist package.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as PdfJs from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';

/**
 * pdf.js, loaded on first use: the work that needs it runs on the file thread
 * (file-thread.ts), and its legacy build replaces globals such as JSON.parse with polyfills
 * that a thread which never opens a PDF itself need not carry.
 */
let pdfjs: Promise<typeof PdfJs> | undefined;

// pdf.js joins these with file names itself and insists on a trailing "/"; Node's fs accepts
// forward slashes on every platform.
const packageDir = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
const dataDir = (name: string): string => `${path.join(packageDir, name)}/`;

/**
 * Opens a PDF from its bytes. pdf.js takes ownership of the buffer (it is transferred to the
 * in-process worker), so pass a copy if the caller still needs it.
 */
export async function openPdf(data: Uint8Array): Promise<PDFDocumentProxy> {
  const { getDocument, VerbosityLevel } = await (pdfjs ??=
    import('pdfjs-dist/legacy/build/pdf.mjs'));
  return getDocument({
    data,
    // Evaluating font programs as JavaScript is the one thing pdf.js would otherwise do with eval.
    isEvalSupported: false,
    useSystemFonts: false,
    disableFontFace: true,
    // Without these, text in the 14 standard fonts, CJK text and JPEG 2000 or JBIG2 scans
    // would render as blanks.
    standardFontDataUrl: dataDir('standard_fonts'),
    cMapUrl: dataDir('cmaps'),
    cMapPacked: true,
    wasmUrl: dataDir('wasm'),
    verbosity: VerbosityLevel.ERRORS,
  }).promise;
}

/** How many pages a PDF has, or why pdf.js could not open it. */
export type PdfPages = { pages: number } | { error: string; password: boolean };

/** Opens the PDF at `path` with pdf.js and counts its pages, on the calling thread. */
export async function pdfPagesHere(path: string): Promise<PdfPages> {
  let doc;
  try {
    doc = await openPdf(new Uint8Array(await readFile(path)));
  } catch (error) {
    return { error: (error as Error).message, password: isPasswordError(error) };
  }
  try {
    return { pages: doc.numPages };
  } finally {
    await doc.destroy();
  }
}

/** pdf.js rejects with a PasswordException (not exported) when a user password is needed. */
export function isPasswordError(error: unknown): boolean {
  return error instanceof Error && error.name === 'PasswordException';
}

/** Bytes from the end within which a complete PDF has its %%EOF marker. */
export const TRAILER_WINDOW = 1024;
const EOF_MARKER = Buffer.from('%%EOF');

/**
 * Whether the last kilobyte holds %%EOF. pdf.js silently rebuilds a PDF cut off mid-way, so a
 * truncated upload would open; the missing trailer is how we notice the lost pages.
 */
export function hasPdfTrailer(tail: Buffer): boolean {
  return tail.subarray(-TRAILER_WINDOW).includes(EOF_MARKER);
}
