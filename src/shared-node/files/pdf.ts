// pdf.js set up for Node (Electron main and the API server): no DOM, no worker thread, no eval,
// and its font, CMap and decoder data read from the installed pdfjs-dist package.
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  getDocument,
  VerbosityLevel,
  type PDFDocumentProxy,
} from 'pdfjs-dist/legacy/build/pdf.mjs';

// pdf.js joins these with file names itself and insists on a trailing "/"; Node's fs accepts
// forward slashes on every platform.
const packageDir = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
const dataDir = (name: string): string => `${path.join(packageDir, name)}/`;

/**
 * Opens a PDF from its bytes. pdf.js takes ownership of the buffer (it is transferred to the
 * in-process worker), so pass a copy if the caller still needs it.
 */
export function openPdf(data: Uint8Array): Promise<PDFDocumentProxy> {
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
