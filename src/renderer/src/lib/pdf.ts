// pdf.js for the viewer: its worker runs from the app's own files (worker-src 'self'), eval is
// off (isEvalSupported: false: the CSP has no 'unsafe-eval', and a hostile PDF's fonts must not
// become code), and documents load from their signed URL with range requests, so the first page
// shows before a long file has arrived.
import {
  GlobalWorkerOptions,
  getDocument,
  TextLayer,
  type PDFDocumentLoadingTask,
  type PDFDocumentProxy,
  type PDFPageProxy,
} from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';

GlobalWorkerOptions.workerSrc = workerUrl;

export type { PDFDocumentProxy, PDFPageProxy };
export { TextLayer };

export function openPdf(url: string): PDFDocumentLoadingTask {
  return getDocument({
    url,
    isEvalSupported: false,
    // Signed URLs carry their own authorization; never send cookies with them.
    withCredentials: false,
    // Fonts come from the file or the system, never from a URL the PDF names.
    disableFontFace: false,
    useSystemFonts: true,
    enableXfa: false,
  });
}
