// pdf.js for the viewer: its worker runs from the app's own files (worker-src 'self'), eval is
// off (isEvalSupported: false: the CSP has no 'unsafe-eval', and a hostile PDF's fonts must not
// become code), and documents load from their signed URL with range requests, so the first page
// shows before a long file has arrived.
import {
  GlobalWorkerOptions,
  getDocument,
  PDFWorker,
  TextLayer,
  type PDFDocumentLoadingTask,
  type PDFDocumentProxy,
  type PDFPageProxy,
} from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';

GlobalWorkerOptions.workerSrc = workerUrl;

let sharedWorker: PDFWorker | undefined;

/**
 * One pdf.js worker for the window, reused by every document: without it each PDF opened
 * starts a new worker that loads and parses pdf.js's worker code again before the first page.
 * Destroying a document's loading task leaves a worker it was given running.
 */
export function pdfWorker(): PDFWorker {
  sharedWorker ??= new PDFWorker();
  return sharedWorker;
}

// Start the worker while the user is still choosing a document, so the first PDF opens warm.
if (typeof Worker !== 'undefined' && typeof requestIdleCallback !== 'undefined') {
  requestIdleCallback(() => pdfWorker(), { timeout: 5_000 });
}

export type { PDFDocumentProxy, PDFPageProxy };
export { TextLayer };

export function openPdf(url: string): PDFDocumentLoadingTask {
  return getDocument({
    url,
    worker: pdfWorker(),
    isEvalSupported: false,
    // Read only the byte ranges the pages shown need, instead of streaming the whole file in the
    // background while the first page is being drawn.
    disableAutoFetch: true,
    disableStream: true,
    // Signed URLs carry their own authorization; never send cookies with them.
    withCredentials: false,
    // Fonts come from the file or the system, never from a URL the PDF names.
    disableFontFace: false,
    useSystemFonts: true,
    enableXfa: false,
  });
}
