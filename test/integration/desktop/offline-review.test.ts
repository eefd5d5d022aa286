// Offline review end to end under Node: the real headless services over the WebSocket client,
// against the real API reached through a TCP proxy, so "the API is stopped" is the proxy going
// down (connections refused, as a laptop without network sees it). Pin a patient, go offline,
// open the PDF from the cache through the loopback URL main hands out (bytes and ranges equal),
// annotate offline, come back: the annotations and the offline view reach the server with their
// own times; edits made on the server meanwhile come back as conflicts, both versions kept,
// and each choice (mine, theirs) ends up on the server.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { startHeadless, type HeadlessMain } from '../../../src/main/headless.js';
import {
  connectWebSocketApi,
  type SocketConstructor,
  type WebSocketApi,
} from '../../../src/renderer/src/lib/ws-api.js';
import type { Annotation } from '../../../src/shared/api/annotations.js';
import type { DocumentReference } from '../../../src/shared/api/schemas.js';
import type { AnnotationConflictItem, OfflineStatus } from '../../../src/shared/ipc/offline.js';
import { BACKENDS, createBackendWorld } from '../../support/backends.js';
import { pdf } from '../../support/files.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { PASSWORD, type World } from '../../support/world.js';
import { temporaryDir, TEST_SECRETS_ENV } from '../../unit/main/fixtures.js';

vi.setConfig({ testTimeout: 60_000 });

const Socket = WebSocket as unknown as SocketConstructor;
const local = BACKENDS.find((b) => b.storage === 'local' && b.dialect === 'sqlite')!;

let w: World;
let proxy: TcpProxy;
let token: string;
let headless: HeadlessMain;
let folder: ReturnType<typeof temporaryDir>;
let api: WebSocketApi;
let patientId: string;
let report: DocumentReference;
let bytes: Buffer;
let referral: DocumentReference;
const referralBytes = pdf(1, 'Referral to cardiology');
let networkDown = false;

async function until<T>(what: string, check: () => Promise<T | undefined | false>, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) {
      const status = await api.getOfflineStatus();
      throw new Error(`Timed out waiting for ${what}; offline status: ${JSON.stringify(status)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const marker = (label: string, color = '#d01010') => ({
  type: 'marker' as const,
  pageNumber: 1,
  content: { x: 0.25, y: 0.5, label, color },
});

async function serverAnnotations(): Promise<Annotation[]> {
  const res = await w.call(token, 'GET', `/api/v1/documents/${report.id}/annotations`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ items: Annotation[] }>().items;
}

async function upload(patient: string, title: string, file: Buffer): Promise<DocumentReference> {
  const form = new FormData();
  form.append('patientId', patient);
  form.append('category', 'clinical-note');
  form.append('title', title);
  form.append('file', new Blob([file], { type: 'application/pdf' }), `${title}.pdf`);
  const res = await fetch(`${w.url()}/api/v1/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as DocumentReference;
}

beforeAll(async () => {
  proxy = await startTcpProxy();
  // Signed URLs name the host the server is configured with, so files come through the proxy too.
  w = await createBackendWorld(local, { env: { PUBLIC_URL: proxy.url } });
  proxy.target = new URL(w.url()).host;
  token = await w.login(w.a.users.clinician.email);
  // Not the world's first patient: its made-up documents have no files to download.
  patientId = w.a.patients[1]!;
  bytes = await pdf(3, 'Discharge summary');
  report = await upload(patientId, 'Discharge summary', bytes);
  // Another patient's, never pinned: kept only because it was opened.
  referral = await upload(w.a.patients[2]!, 'Referral', await referralBytes);
  folder = temporaryDir('medaius-offline-');
  headless = await startHeadless({
    env: { ...TEST_SECRETS_ENV, MEDAIUS_API_URL: proxy.url, MEDAIUS_DATA_DIR: folder.dir },
    offlineRetryMs: 200,
  });
  api = await connectWebSocketApi(headless.url, Socket);
  const signIn = await api.signIn({ email: w.a.users.clinician.email, password: PASSWORD });
  expect(signIn.ok).toBe(true);
}, 60_000);

afterAll(async () => {
  api?.close();
  await headless?.close();
  folder?.remove();
  if (networkDown) await proxy.up();
  await proxy?.close();
  await w?.close();
});

describe('offline review over the WebSocket transport', () => {
  let kept: Annotation;
  let theirsWins: Annotation;
  let madeOffline: Annotation;
  let offlineFrom: number;
  let offlineUntil: number;

  it('pins a patient and reports the download until every copy is here', async () => {
    kept = await api.createAnnotation({ documentId: report.id, ...marker('Check potassium') });
    theirsWins = await api.createAnnotation({ documentId: report.id, ...marker('Follow up') });
    const pushed: OfflineStatus[] = [];
    const stop = api.onOfflineChanged((status) => pushed.push(status));
    const pinned = await api.pinOffline({ patientId });
    // Named from the server's record once it is here; until then by its id.
    expect(pinned.pins).toEqual([expect.objectContaining({ target: { patientId } })]);
    const ready = await until('the pin to be ready', async () => {
      const status = await api.getOfflineStatus();
      return status.pins[0]?.state === 'ready' && status.pins[0].documentsCached === 1 && status;
    });
    expect(ready.pins[0]).toMatchObject({
      label: 'Alan Turing (MRN ALPHA-2)',
      bytes: bytes.length,
    });
    expect(ready.usage.patients).toEqual([
      expect.objectContaining({ patientId, name: 'Alan Turing', documents: 1 }),
    ]);
    expect(ready.usage.limitBytes).toBe(2048 * 1024 * 1024);
    // The settings screen hears of the download without asking.
    await until('a pushed status with the pin ready', async () =>
      pushed.some((s) => s.pins[0]?.state === 'ready'),
    );
    stop();
  });

  it('opens the PDF from the cache through a loopback URL, online too, with ranges', async () => {
    const opened = await api.openDocument({ id: report.id });
    const url = new URL(opened.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.host).not.toBe(new URL(proxy.url).host);
    const whole = await fetch(opened.url, { headers: { origin: 'app://medaius' } });
    expect(whole.status).toBe(200);
    expect(whole.headers.get('access-control-allow-origin')).toBe('*');
    expect(whole.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);
    const part = await fetch(opened.url, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${bytes.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(100, 200))).toBe(true);
    const head = await fetch(opened.url, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(bytes.length));
    const beyond = await fetch(opened.url, { headers: { range: `bytes=${bytes.length}-` } });
    expect(beyond.status).toBe(416);
    // A guessed or altered capability opens nothing.
    const guessed = await fetch(`${url.origin}/documents/${'A'.repeat(43)}`);
    expect(guessed.status).toBe(404);
  });

  it('keeps a document opened from the server, so the next open is from this computer', async () => {
    const first = await api.openDocument({ id: referral.id });
    expect(new URL(first.url).host).toBe(new URL(proxy.url).host);
    await until('the opened document to be kept', async () => {
      const status = await api.getOfflineStatus();
      return status.usage.patients.some((p) => p.patientId === w.a.patients[2]);
    });
    const second = await api.openDocument({ id: referral.id });
    expect(new URL(second.url).host).not.toBe(new URL(proxy.url).host);
    const served = Buffer.from(await (await fetch(second.url)).arrayBuffer());
    expect(served.equals(await referralBytes)).toBe(true);
  });

  it('keeps nothing readable on disk: the PDF bytes are nowhere in the data folder', () => {
    const needle = bytes.subarray(0, 64);
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const file = path.join(dir, name);
        return statSync(file).isDirectory() ? walk(file) : [file];
      });
    const files = walk(path.join(folder.dir, 'offline-cache'));
    expect(files.length).toBeGreaterThan(2);
    for (const file of files) {
      const content = readFileSync(file);
      expect(content.includes(needle), file).toBe(false);
      expect(content.includes(Buffer.from('Discharge summary')), file).toBe(false);
    }
  });

  it('with the API stopped: lists, opens from the cache and annotates', async () => {
    networkDown = true;
    await proxy.down();
    offlineFrom = Date.now();
    const patient = await api.getPatient({ id: patientId });
    expect(patient.familyName).toBe('Turing');
    const documents = await api.listDocuments({ patientId });
    expect(documents.items.map((d) => d.id)).toEqual([report.id]);
    expect((await api.listEncounters({ patientId })).length).toBe(2);
    // A patient with nothing kept here is not shown as having no documents.
    const unknown = await api.listDocuments({ patientId: w.a.patients[0]! }).catch((e) => e);
    expect(unknown).toMatchObject({ code: 'offline' });

    const opened = await api.openDocument({ id: report.id });
    expect(opened.document.id).toBe(report.id);
    const served = Buffer.from(await (await fetch(opened.url)).arrayBuffer());
    expect(served.equals(bytes)).toBe(true);

    const thumbnails = await api.getThumbnailUrls({ ids: [report.id, w.a.documents.lab] });
    expect(thumbnails.urls[w.a.documents.lab]).toBeNull();
    const thumbnail = await fetch(thumbnails.urls[report.id]!);
    expect(thumbnail.headers.get('content-type')).toBe('image/jpeg');
    expect([...Buffer.from(await thumbnail.arrayBuffer()).subarray(0, 2)]).toEqual([0xff, 0xd8]);

    // A document that was never kept offline: the error names it and says why.
    const missing = await api.openDocument({ id: w.a.documents.lab }).catch((e: unknown) => e);
    expect(missing).toMatchObject({
      code: 'offline',
      message: expect.stringContaining(`document ${w.a.documents.lab}`),
    });

    madeOffline = await api.createAnnotation({
      documentId: report.id,
      ...marker('Written offline', '#1040d0'),
    });
    expect(madeOffline.id).toMatch(/^[0-9a-f-]{36}$/);
    await api.updateAnnotation({
      id: kept.id,
      version: kept.version,
      content: marker('Mine: 4.1').content,
    });
    await api.updateAnnotation({
      id: theirsWins.id,
      version: 1,
      content: marker('Mine: in 2 weeks').content,
    });
    const shown = await api.listAnnotations({ documentId: report.id });
    expect(shown.map((a) => a.content)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ label: 'Written offline' }),
        expect.objectContaining({ label: 'Mine: 4.1' }),
        expect.objectContaining({ label: 'Mine: in 2 weeks' }),
      ]),
    );
    const status = await api.getOfflineStatus();
    expect(status).toMatchObject({ pendingAnnotations: 3, pendingViews: 1, conflicts: 0 });
    offlineUntil = Date.now();
    // What was written offline is clinical content: encrypted in the outbox, like the cache.
    const outbox = readFileSync(path.join(folder.dir, 'annotation-outbox'));
    expect(outbox.includes(Buffer.from('Written offline'))).toBe(false);

    // Meanwhile, a colleague edits two of the same annotations on the server.
    for (const [a, label] of [
      [kept, 'Theirs: 3.9'],
      [theirsWins, 'Theirs: in 1 week'],
    ] as const) {
      const res = await w.call(token, 'PATCH', `/api/v1/annotations/${a.id}`, {
        version: a.version,
        content: marker(label).content,
      });
      expect(res.statusCode, res.body).toBe(200);
    }
  });

  it('keeps the offline work across a restart of the app while still offline', async () => {
    api.close();
    await headless.close();
    headless = await startHeadless({
      env: { ...TEST_SECRETS_ENV, MEDAIUS_API_URL: proxy.url, MEDAIUS_DATA_DIR: folder.dir },
      offlineRetryMs: 200,
    });
    api = await connectWebSocketApi(headless.url, Socket);
    expect(await api.getSession()).toMatchObject({ signedIn: true, offline: true });
    expect(await api.getOfflineStatus()).toMatchObject({ pendingAnnotations: 3, pendingViews: 1 });
    const shown = await api.listAnnotations({ documentId: report.id });
    expect(shown.find((a) => a.id === madeOffline.id)?.content).toMatchObject({
      label: 'Written offline',
    });
  });

  it('back online: sends the annotation and the view, and reports both conflicts', async () => {
    const pushed: AnnotationConflictItem[][] = [];
    const stop = api.onAnnotationConflictsChanged(({ items }) => pushed.push(items));
    await proxy.up();
    networkDown = false;
    const conflicts = await until('two conflicts', async () => {
      const list = await api.listAnnotationConflicts();
      return list.items.length === 2 && list.items;
    });
    await until('the conflicts to be pushed', async () => pushed.at(-1)?.length === 2);
    stop();
    const labels = (await serverAnnotations()).map((a) => (a.content as { label: string }).label);
    expect(labels.sort()).toEqual(['Theirs: 3.9', 'Theirs: in 1 week', 'Written offline']);
    for (const conflict of conflicts) {
      expect(conflict.reason).toBe('changed-on-server');
      expect(conflict.mine).toMatchObject({ action: 'update' });
      expect(conflict.theirs).not.toBeNull();
    }
    const byAnnotation = new Map(conflicts.map((c) => [c.annotationId, c]));
    expect(byAnnotation.get(kept.id)).toMatchObject({
      mine: { content: { label: 'Mine: 4.1' } },
      theirs: { version: 2, content: { label: 'Theirs: 3.9' } },
    });

    const views = await until('the offline view in the audit log', async () => {
      const admin = await w.login(w.a.users.admin.email);
      const res = await w.call(admin, 'GET', '/api/v1/audit?limit=50&action=document.view_offline');
      const items = res.json<{
        items: {
          entityId: string;
          userId: string;
          occurredAt: string;
          details: { viewedAt: string };
        }[];
      }>().items;
      return items.length > 0 && items;
    });
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({ entityId: report.id, userId: w.a.users.clinician.id });
    const viewedAt = Date.parse(views[0]!.details.viewedAt);
    expect(viewedAt).toBeGreaterThanOrEqual(offlineFrom - 1000);
    expect(viewedAt).toBeLessThanOrEqual(offlineUntil + 1000);
    const status = await api.getOfflineStatus();
    expect(status).toMatchObject({ pendingAnnotations: 0, pendingViews: 0, conflicts: 2 });
  });

  it('resolves one conflict keeping mine and one keeping theirs', async () => {
    const { items } = await api.listAnnotationConflicts();
    const mine = items.find((c) => c.annotationId === kept.id)!;
    const theirs = items.find((c) => c.annotationId === theirsWins.id)!;
    const kept1 = await api.resolveAnnotationConflict({ id: mine.id, keep: 'mine' });
    expect(kept1.annotation).toMatchObject({
      id: kept.id,
      version: 3,
      content: { label: 'Mine: 4.1' },
    });
    const kept2 = await api.resolveAnnotationConflict({ id: theirs.id, keep: 'theirs' });
    expect(kept2.annotation).toMatchObject({
      id: theirsWins.id,
      content: { label: 'Theirs: in 1 week' },
    });
    expect(kept2.conflicts.items).toEqual([]);
    const labels = (await serverAnnotations()).map((a) => (a.content as { label: string }).label);
    expect(labels.sort()).toEqual(['Mine: 4.1', 'Theirs: in 1 week', 'Written offline']);
    const again = await api
      .resolveAnnotationConflict({ id: mine.id, keep: 'theirs' })
      .catch((e: unknown) => e);
    expect(again).toMatchObject({ message: expect.stringContaining('no annotation conflict') });
  });

  it('starts another user of this computer from an empty cache', async () => {
    await api.signOut();
    const signIn = await api.signIn({ email: w.a.users.admin.email, password: PASSWORD });
    expect(signIn.ok).toBe(true);
    const emptied = await until('the previous user’s copies to go', async () => {
      const status = await api.getOfflineStatus();
      return status.pins.length === 0 && status.usage.usedBytes === 0 && status;
    });
    expect(emptied.usage.patients).toEqual([]);
  });
});
