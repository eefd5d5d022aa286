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

/** A 16 × 16 JPEG, in hex: the warm-up draws a photo, as scanned pages have. */
const TINY_JPEG =
  'ffd8ffdb0043000d090a0b0a080d0b0a0b0e0e0d0f13201513121213271c1e17202e2931302e292d2c333a4a3e333646' +
  '372c2d405741464c4e525352323e5a615a50604a51524fffdb0043010e0e0e131113261515264f352d354f4f4f4f4f4f' +
  '4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4fffc00011' +
  '080010001003012200021101031101ffc400160001010100000000000000000000000000020003ffc400241000020201' +
  '02050500000000000000000001021121030012223141516104133271f0ffc40014010100000000000000000000000000' +
  '000001ffc40017110101010100000000000000000000000001001141ffda000c03010002110311003f002f8378414d13' +
  '062227e53d0c91e2055ea4520de42518ee65dd04dd1befc851e7e35ae539b27b641389890c420a15d4c9eb71de0c697a' +
  '851c3bddf856555cac311cf866ff007d68d508de5fffd9';

/**
 * A one-page PDF (a line of Helvetica, a stroked and a filled box and a JPEG photo), to run
 * pdf.js's parsing, font, path and image code once.
 */
function tinyPdf(): Uint8Array {
  const content =
    'BT /F1 12 Tf 10 40 Td (Warm) Tj ET 2 w 60 20 30 30 re S 0 0 0 rg 0 0 100 10 re f ' +
    'q 40 0 0 40 10 15 cm /Im1 Do Q';
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 60] /Contents 4 0 R ' +
      '/Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    '<< /Type /XObject /Subtype /Image /Width 16 /Height 16 /ColorSpace /DeviceRGB ' +
      `/BitsPerComponent 8 /Filter [/ASCIIHexDecode /DCTDecode] /Length ${TINY_JPEG.length + 1} >>` +
      `\nstream\n${TINY_JPEG}>\nendstream`,
  ];
  let text = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(text.length);
    text += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = text.length;
  text += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) text += `${String(offset).padStart(10, '0')} 00000 n \n`;
  text += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(text);
}

let warming: Promise<void> | undefined;

/**
 * Starts the shared worker and opens, draws and reads the text of a tiny PDF with it, once: the
 * first real document then finds pdf.js's worker code loaded and its parsing, font, drawing and
 * text paths (on both threads) already run, instead of paying for all of that before its first
 * page. Safe to call often; never rejects.
 */
export function warmPdf(): Promise<void> {
  warming ??= (async () => {
    const task = getDocument({
      data: tinyPdf(),
      worker: pdfWorker(),
      isEvalSupported: false,
      useSystemFonts: true,
      enableXfa: false,
    });
    try {
      const pdf = await task.promise;
      const page = await pdf.getPage(1);
      const viewport = page.getViewport({ scale: 1 });
      const canvas = document.createElement('canvas');
      canvas.width = Math.ceil(viewport.width);
      canvas.height = Math.ceil(viewport.height);
      await page.render({ canvas, viewport }).promise;
      await page.getTextContent();
    } catch {
      // Only a warm-up: the real document reports its own errors.
    } finally {
      await task.destroy().catch(() => undefined);
    }
  })();
  return warming;
}

// Start (and warm) the worker while the user is still choosing a document, so the first PDF
// opens warm. (This module loads when a PDF is likely to be opened: see viewer/preload.ts.)
if (
  typeof Worker !== 'undefined' &&
  typeof document !== 'undefined' &&
  typeof requestIdleCallback !== 'undefined'
) {
  requestIdleCallback(() => void warmPdf(), { timeout: 2_000 });
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
    // 256 KiB a request rather than pdf.js's 64 KiB: a page's images arrive in fewer round trips,
    // and a file of up to 512 KiB is read in one request instead of a dozen ranges.
    rangeChunkSize: 262_144,
    // Signed URLs carry their own authorization; never send cookies with them.
    withCredentials: false,
    // Fonts come from the file or the system, never from a URL the PDF names.
    disableFontFace: false,
    useSystemFonts: true,
    enableXfa: false,
    // JPEG 2000 pictures are decoded by OpenJPEG's plain JavaScript build, which the build puts
    // at pdfjs/ (electron.vite.config.ts): no WebAssembly, so the content security policy needs
    // no 'wasm-unsafe-eval'. JBIG2 falls back to pdf.js's own JavaScript decoder.
    useWasm: false,
    wasmUrl: new URL('pdfjs/', document.baseURI).href,
  });
}
