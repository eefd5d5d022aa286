// The records channels as the renderer uses them: the real headless services over the WebSocket
// client, against the real companion API. Find a patient, list and open documents (the signed
// URL fetches the very bytes stored), keep annotations (a stale edit is a 'conflict'), and
// export a PDF with the annotations burned in: rendered with poppler, the ink is on the spot of
// the page the annotation names, also on a page turned by /Rotate and on an EXIF-rotated photo.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { degrees, PDFDocument, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startHeadless, type HeadlessMain } from '../../../src/main/headless.js';
import {
  connectWebSocketApi,
  type SocketConstructor,
  type WebSocketApi,
} from '../../../src/renderer/src/lib/ws-api.js';
import type { DocumentReference } from '../../../src/shared/api/schemas.js';
import { createWorld, PASSWORD, type World } from '../../support/world.js';
import { temporaryDir, TEST_SECRETS_ENV } from '../../unit/main/fixtures.js';

const run = promisify(execFile);
const Socket = WebSocket as unknown as SocketConstructor;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Page 1 upright letter; page 2 landscape 600×400 shown turned a quarter clockwise (/Rotate 90). */
async function twoPagePdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage([612, 792]).drawText('Complete blood count', { x: 72, y: 700, size: 18, font });
  const turned = doc.addPage([600, 400]);
  turned.setRotation(degrees(90));
  return doc.save();
}

/** A white 300×200 photo stored sideways: EXIF orientation 6 shows it upright as 200×300. */
function sidewaysPhoto(): Promise<Buffer> {
  return sharp({ create: { width: 300, height: 200, channels: 3, background: '#ffffff' } })
    .jpeg({ quality: 95 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/** Page `page` of `file` as poppler renders it (the page's /Rotate applied), as RGB pixels. */
async function rendered(file: string, page: number, dpi = 36) {
  const dir = await mkdtemp(path.join(tmpdir(), 'medaius-render-'));
  try {
    const out = path.join(dir, 'page');
    // -cropbox: what a viewer shows (pdf.js uses the CropBox; pdftoppm by default the MediaBox).
    await run('pdftoppm', [
      '-cropbox',
      '-r',
      String(dpi),
      '-f',
      String(page),
      '-l',
      String(page),
      '-singlefile',
      '-png',
      file,
      out,
    ]);
    const { data, info } = await sharp(`${out}.png`)
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return {
      width: info.width,
      height: info.height,
      /** the pixel at fractions (u, v) of the rendered page, origin top-left */
      at(u: number, v: number): [number, number, number] {
        const x = Math.min(info.width - 1, Math.floor(u * info.width));
        const y = Math.min(info.height - 1, Math.floor(v * info.height));
        const i = (y * info.width + x) * 3;
        return [data[i]!, data[i + 1]!, data[i + 2]!];
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const isWhite = ([r, g, b]: number[]) => r! > 240 && g! > 240 && b! > 240;
const isReddish = ([r, g, b]: number[]) => r! > 200 && g! < 210 && b! < 210;
const isBluish = ([r, g, b]: number[]) => b! > 200 && r! < 210 && g! < 210;
const isDark = ([r, g, b]: number[]) => r! < 90 && g! < 90 && b! < 90;

let world: World;
let headless: HeadlessMain;
let folder: ReturnType<typeof temporaryDir>;
let api: WebSocketApi;
let patientId: string;
const pdfBytes = twoPagePdf();
const photoBytes = sidewaysPhoto();
let report: DocumentReference;
let photo: DocumentReference;

async function upload(title: string, bytes: Uint8Array, name: string, type: string) {
  const token = await world.login(world.a.users.clinician.email);
  const body = new FormData();
  body.append('patientId', patientId);
  body.append('category', 'lab');
  body.append('title', title);
  body.append('file', new Blob([bytes], { type }), name);
  const res = await fetch(`${world.url()}/api/v1/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as DocumentReference;
}

beforeAll(async () => {
  world = await createWorld('sqlite', { listen: true });
  patientId = world.a.patients[0]!;
  report = await upload('CBC rotated scan', await pdfBytes, 'cbc.pdf', 'application/pdf');
  photo = await upload('Wound photo', await photoBytes, 'wound.jpg', 'image/jpeg');
  folder = temporaryDir('medaius-records-');
  headless = await startHeadless({
    env: { ...TEST_SECRETS_ENV, MEDAIUS_API_URL: world.url(), MEDAIUS_DATA_DIR: folder.dir },
  });
  api = await connectWebSocketApi(headless.url, Socket);
}, 60_000);

afterAll(async () => {
  api?.close();
  await headless?.close();
  folder?.remove();
  await world?.close();
});

describe('records over the WebSocket transport', () => {
  it('asks for a sign-in before any record is shown', async () => {
    const refused = await api.searchPatients({ q: 'love' }).catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: 'unauthenticated',
      message: 'Sign in to search patients.',
    });
    const result = await api.signIn({ email: world.a.users.clinician.email, password: PASSWORD });
    expect(result.ok).toBe(true);
  });

  it('finds the patient, their encounters and documents, by title words too', async () => {
    const found = await api.searchPatients({ q: 'love' });
    expect(found.items.map((p) => p.id)).toEqual([patientId]);
    expect(await api.getPatient({ id: patientId })).toMatchObject({ familyName: 'Lovelace' });
    expect(await api.listEncounters({ patientId })).toHaveLength(2);

    const all = await api.listDocuments({ patientId });
    expect(all.items.map((d) => d.id)).toEqual(expect.arrayContaining([report.id, photo.id]));
    const byTitle = await api.listDocuments({ patientId, q: 'ROTATED cbc' });
    expect(byTitle.items.map((d) => d.id)).toEqual([report.id]);
  });

  it('signs thumbnail URLs for a page of the gallery', async () => {
    const { urls } = await api.getThumbnailUrls({ ids: [photo.id, report.id] });
    expect(Object.keys(urls).sort()).toEqual([photo.id, report.id].sort());
    const thumb = await fetch(urls[photo.id]!);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
  });

  it('opens a document with a signed URL that fetches the stored bytes', async () => {
    const opened = await api.openDocument({ id: report.id });
    expect(opened.document).toMatchObject({ id: report.id, title: 'CBC rotated scan' });
    const bytes = new Uint8Array(await (await fetch(opened.url)).arrayBuffer());
    expect(sha256(bytes)).toBe(sha256(await pdfBytes));
  });

  it('keeps annotations, and rejects a stale edit as a conflict the viewer can offer to reload', async () => {
    const marker = await api.createAnnotation({
      documentId: report.id,
      pageNumber: 1,
      type: 'marker',
      content: { x: 0.5, y: 0.5, label: 'Low', color: '#00aa00' },
    });
    const moved = await api.updateAnnotation({
      id: marker.id,
      version: 1,
      content: { x: 0.6, y: 0.5, label: 'Low Hb', color: '#00aa00' },
    });
    expect(moved).toMatchObject({ version: 2, content: { label: 'Low Hb' } });

    const stale = await api
      .updateAnnotation({ id: marker.id, version: 1, pageNumber: 2 })
      .catch((e: unknown) => e);
    expect(stale).toMatchObject({ code: 'conflict' });
    expect((stale as Error).message).toMatch(
      /^Could not save the annotation: .*changed by someone else/,
    );

    const badDelete = await api
      .deleteAnnotation({ id: marker.id, version: 1 })
      .catch((e: unknown) => e);
    expect(badDelete).toMatchObject({ code: 'conflict' });
    expect(await api.deleteAnnotation({ id: marker.id, version: 2 })).toEqual({ id: marker.id });
    expect(await api.listAnnotations({ documentId: report.id })).toEqual([]);
  });

  it('exports the PDF with the ink where the annotations are, on an upright and a turned page', async () => {
    await api.createAnnotation({
      documentId: report.id,
      pageNumber: 1,
      type: 'freehand',
      content: {
        points: [
          [0.2, 0.5],
          [0.5, 0.5],
          [0.8, 0.5],
        ],
        width: 0.02,
        color: '#000000',
      },
    });
    await api.createAnnotation({
      documentId: report.id,
      pageNumber: 1,
      type: 'text',
      content: { x: 0.1, y: 0.8, text: 'Recheck in 2 weeks', color: '#000000' },
    });
    // On the turned page: the left third, lower part, as the viewer shows it.
    await api.createAnnotation({
      documentId: report.id,
      pageNumber: 2,
      type: 'highlight',
      content: { x: 0.1, y: 0.6, width: 0.3, height: 0.3, color: '#ff0000' },
    });
    await api.createAnnotation({
      documentId: report.id,
      pageNumber: 7,
      type: 'marker',
      content: { x: 0.5, y: 0.5, label: '', color: '#ff0000' },
    });

    const exported = await api.exportAnnotatedPdf({ documentId: report.id });
    expect(exported).toMatchObject({
      fileName: 'CBC rotated scan (annotated).pdf',
      annotations: 3,
      omitted: 1,
    });
    expect(exported.path).toBe(path.join(folder.dir, 'exports', exported.fileName));

    const upright = await rendered(exported.path, 1);
    expect(isDark(upright.at(0.5, 0.5))).toBe(true);
    expect(isDark(upright.at(0.35, 0.5))).toBe(true);
    expect(isWhite(upright.at(0.5, 0.3))).toBe(true);
    const { stdout } = await run('pdftotext', ['-f', '1', '-l', '1', exported.path, '-']);
    expect(stdout).toContain('Recheck in 2 weeks');

    const turned = await rendered(exported.path, 2);
    expect(turned.width).toBeLessThan(turned.height);
    expect(isReddish(turned.at(0.25, 0.75))).toBe(true);
    expect(isReddish(turned.at(0.12, 0.62))).toBe(true);
    for (const [u, v] of [
      [0.75, 0.25],
      [0.75, 0.75],
      [0.25, 0.25],
      [0.5, 0.75],
    ] as const) {
      expect(isWhite(turned.at(u, v)), `(${u}, ${v}) stays white`).toBe(true);
    }

    const again = await api.exportAnnotatedPdf({ documentId: report.id });
    expect(again.fileName).toBe('CBC rotated scan (annotated) (2).pdf');
    expect(existsSync(exported.path)).toBe(true);
  });

  it('exports a photo upright as its EXIF orientation shows it, with the ink on it', async () => {
    await api.createAnnotation({
      documentId: photo.id,
      pageNumber: 1,
      type: 'highlight',
      content: { x: 0.05, y: 0.05, width: 0.4, height: 0.3, color: '#0000ff' },
    });
    const exported = await api.exportAnnotatedPdf({ documentId: photo.id });
    const page = await rendered(exported.path, 1, 72);
    expect([page.width, page.height]).toEqual([200, 300]);
    expect(isBluish(page.at(0.2, 0.2))).toBe(true);
    expect(isWhite(page.at(0.8, 0.8))).toBe(true);
    expect(isWhite(page.at(0.2, 0.8))).toBe(true);
  });
});
