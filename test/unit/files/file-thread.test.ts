// PDF and DICOM thumbnails are drawn on a worker thread (src/shared-node/files/file-thread.ts):
// the same pictures as on the calling thread, while that thread's event loop keeps turning; a
// thread that dies fails only the thumbnail it was drawing, and one that cannot start leaves
// the drawing to the calling thread.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FILE_TYPES } from '../../../src/shared-node/files/known-types.js';
import { fileThreadId, setFileWorker } from '../../../src/shared-node/files/file-thread.js';
import { makeThumbnail, makeThumbnailHere } from '../../../src/shared-node/files/thumbnails.js';
import { ensureFixtures, type Fixtures } from '../../fixtures/make-fixtures.js';

let fixtures: Fixtures;
let scratch: string;
let densePdf: string;
beforeAll(async () => {
  fixtures = await ensureFixtures();
  scratch = await mkdtemp(path.join(tmpdir(), 'medaius-thumb-thread-'));
  // A page of thousands of vector strokes and glyphs: pdf.js runs JavaScript for a long while.
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([612, 792]);
  for (let i = 0; i < 3000; i++) {
    page.drawText(`line ${i} of a dense page`, {
      x: (i % 7) * 80,
      y: (i % 90) * 8.5,
      size: 6,
      font,
    });
    page.drawLine({ start: { x: i % 600, y: 0 }, end: { x: 600 - (i % 600), y: 790 } });
  }
  densePdf = path.join(scratch, 'dense.pdf');
  await writeFile(densePdf, await doc.save());
});
afterEach(() => setFileWorker(undefined));
afterAll(async () => {
  await setFileWorker(undefined);
  await rm(scratch, { recursive: true, force: true });
});

describe('thumbnails on a worker thread', () => {
  it('draws PDFs and DICOM there, the same pictures as on this thread', async () => {
    for (const [file, type] of [
      [fixtures.vectorPdf, FILE_TYPES.pdf],
      [fixtures.dicomCt, FILE_TYPES.dicom],
    ] as const) {
      const there = await makeThumbnail(file, type);
      const here = await makeThumbnailHere(file, type);
      expect(there.status).toBe('ready');
      expect(there).toEqual(here);
      expect(Buffer.isBuffer(there.status === 'ready' && there.jpeg)).toBe(true);
    }
    const id = await fileThreadId();
    expect(id).toBeGreaterThan(0);
  });

  it('leaves this thread free while a dense page is drawn', async () => {
    let turns = 0;
    let drawing = true;
    const drawn = makeThumbnail(densePdf, FILE_TYPES.pdf).finally(() => (drawing = false));
    while (drawing) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      turns++;
    }
    expect((await drawn).status).toBe('ready');
    // Drawn here, the page holds the event loop for most of its time and only a handful of
    // turns get through; drawn on the thread, a turn comes every millisecond or so.
    let turnsHere = 0;
    let drawingHere = true;
    const drawnHere = makeThumbnailHere(densePdf, FILE_TYPES.pdf).finally(
      () => (drawingHere = false),
    );
    while (drawingHere) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      turnsHere++;
    }
    expect((await drawnHere).status).toBe('ready');
    expect(turns).toBeGreaterThan(5 * turnsHere);
  });

  it('fails only the thumbnail whose thread died, then starts a new one', async () => {
    const dying = path.join(scratch, 'dying-worker.mjs');
    await writeFile(
      dying,
      `import { parentPort } from 'node:worker_threads';
       parentPort.postMessage({ ready: true, threadId: 99 });
       parentPort.on('message', () => process.exit(3));`,
    );
    await setFileWorker(pathToFileURL(dying));
    expect(await makeThumbnail(fixtures.vectorPdf, FILE_TYPES.pdf)).toEqual({
      status: 'failed',
      reason: 'the work was stopped (exit code 3)',
    });
    await setFileWorker(undefined);
    expect((await makeThumbnail(fixtures.vectorPdf, FILE_TYPES.pdf)).status).toBe('ready');
  });

  it('draws on this thread when no thread can start', async () => {
    await setFileWorker(pathToFileURL(path.join(scratch, 'no-such-worker.mjs')));
    const result = await makeThumbnail(fixtures.vectorPdf, FILE_TYPES.pdf);
    expect(result).toEqual(await makeThumbnailHere(fixtures.vectorPdf, FILE_TYPES.pdf));
    expect(result.status).toBe('ready');
  });
});
