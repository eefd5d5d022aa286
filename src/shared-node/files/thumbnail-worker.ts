// The program of the thumbnail thread (thumbnail-thread.ts starts it): PDF pages and DICOM
// frames drawn by pdf.js and dicom-parser, which run JavaScript for up to a second on a dense
// page, here instead of on the event loop of the desktop's main process or the API server.
import { parentPort, threadId } from 'node:worker_threads';
import type { DetectedType, ThumbnailResult } from './types.js';
import { makeThumbnailHere, type ThumbnailOptions } from './thumbnails.js';

export interface ThumbnailRequest {
  id: number;
  path: string;
  type: DetectedType;
  options: ThumbnailOptions;
}

export type ThumbnailAnswer =
  { ready: true; threadId: number } | { id: number; result: ThumbnailResult; threadId: number };

const port = parentPort;
if (!port) throw new Error('thumbnail-worker.ts runs as a worker thread');
port.on('message', (request: ThumbnailRequest) => {
  void makeThumbnailHere(request.path, request.type, request.options).then((result) => {
    port.postMessage({ id: request.id, result, threadId } satisfies ThumbnailAnswer);
  });
});
port.postMessage({ ready: true, threadId } satisfies ThumbnailAnswer);
