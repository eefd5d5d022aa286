// Loads the PDF viewer's code (pdf.js and its worker) before the first PDF is opened, and warms
// it, without asking for any document: opening a document asks the API for a signed URL, which
// the API audits as a view, so nothing here opens one that the user has not opened.
import type * as PdfViewerExports from './PdfViewer.js';

type PdfViewerModule = typeof PdfViewerExports;

let loaded: PdfViewerModule | undefined;
let loading: Promise<unknown> | undefined;

/** The PDF viewer's module, once loaded (then it renders at once, without a loading step). */
export function loadedPdfViewer(): PdfViewerModule | undefined {
  return loaded;
}

/** Loads the PDF viewer's module (again after a failure). */
export async function loadPdfViewer(): Promise<PdfViewerModule> {
  loaded ??= await import('./PdfViewer.js');
  return loaded;
}

/** Fetches and warms the PDF viewer chunk, once; never rejects. */
export function preloadPdfViewer(): Promise<unknown> {
  // Only where pdf.js can run its worker (a window, not a test's DOM).
  if (typeof Worker === 'undefined') return Promise.resolve();
  loading ??= loadPdfViewer()
    .then(() => import('../../lib/pdf.js'))
    .then((pdf) => pdf.warmPdf())
    .catch(() => {
      // A failed preload is retried by the viewer's own import when a PDF is opened.
      loading = undefined;
    });
  return loading;
}

/** The same, when the window is next idle (or soon, if it never is). */
export function preloadPdfViewerWhenIdle(): void {
  if (loading || typeof Worker === 'undefined') return;
  if (typeof requestIdleCallback === 'undefined') {
    setTimeout(() => void preloadPdfViewer(), 200);
    return;
  }
  requestIdleCallback(() => void preloadPdfViewer(), { timeout: 2_000 });
}

/** Whether a document's content type is one the PDF viewer shows. */
export function isPdf(contentType: string): boolean {
  return contentType.toLowerCase().split(';')[0]?.trim() === 'application/pdf';
}
