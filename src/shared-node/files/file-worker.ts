// The program of the file thread (file-thread.ts starts it): the work on files that pdf.js
// and dicom-parser do in JavaScript — drawing PDF and DICOM thumbnails, opening a PDF to
// check it and count its pages — which holds a thread for up to a second on a dense or
// damaged file, here instead of on the event loop of the desktop's main process or the API
// server.
import { parentPort, threadId } from 'node:worker_threads';
import { pdfPagesHere, type PdfPages } from './pdf.js';
import type { DetectedType, ThumbnailResult } from './types.js';
import { makeThumbnailHere, type ThumbnailOptions } from './thumbnails.js';

export type FileWork =
  | { kind: 'thumbnail'; path: string; type: DetectedType; options: ThumbnailOptions }
  | { kind: 'pdf-pages'; path: string };

export interface FileWorkResults {
  thumbnail: ThumbnailResult;
  'pdf-pages': PdfPages;
}

export type FileThreadMessage =
  | { ready: true; threadId: number }
  | { id: number; result: FileWorkResults[FileWork['kind']]; threadId: number };

function run(work: FileWork): Promise<FileWorkResults[FileWork['kind']]> {
  switch (work.kind) {
    case 'thumbnail':
      return makeThumbnailHere(work.path, work.type, work.options);
    case 'pdf-pages':
      return pdfPagesHere(work.path);
  }
}

const port = parentPort;
if (!port) throw new Error('file-worker.ts runs as a worker thread');
port.on('message', ({ id, work }: { id: number; work: FileWork }) => {
  void run(work).then((result) => {
    port.postMessage({ id, result, threadId } satisfies FileThreadMessage);
  });
});
port.postMessage({ ready: true, threadId } satisfies FileThreadMessage);
