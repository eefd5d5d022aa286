// The offline cache against the real API, with documents uploaded for real (files, thumbnails).
// The client reaches the server only through a TCP proxy, so "the API is stopped" is the proxy
// going down: connections refused, as a laptop without network sees it.
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { buffer } from 'node:stream/consumers';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiHttp } from '../../../src/main/services/api/http.js';
import {
  ChecksumMismatchError,
  NotAvailableOfflineError,
  openOfflineCache,
  type CacheEvent,
  type CacheLimits,
  type OfflineCache,
  type OfflineView,
} from '../../../src/main/services/cache/index.js';
import { sealedSizeOf } from '../../../src/main/services/cache/blob-crypto.js';
import { PlaintextSecretStore } from '../../../src/main/services/secrets/plaintext.js';
import type { DocumentReference, DocumentUrls } from '../../../src/shared/api/schemas.js';
import { createBackendWorld, BACKENDS } from '../../support/backends.js';
import { jpeg, pdf } from '../../support/files.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import type { World } from '../../support/world.js';

vi.setConfig({ testTimeout: 120_000 });

const local = BACKENDS.find((b) => b.storage === 'local' && b.dialect === 'sqlite')!;
const GiB = 1024 ** 3;

let w: World;
let proxy: TcpProxy;
let token: string;
let scratch: string;

beforeAll(async () => {
  proxy = await startTcpProxy();
  // Signed URLs name the host the server is configured with, so the files come through the proxy.
  w = await createBackendWorld(local, { env: { PUBLIC_URL: proxy.url } });
  proxy.target = new URL(w.url()).host;
  token = await w.login(w.a.users.clinician.email);
  scratch = mkdtempSync(path.join(tmpdir(), 'medaius-cache-test-'));
});
afterAll(async () => {
  await proxy?.close();
  await w?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** The API as the laptop sees it: the proxy up or down (up() twice would strand a listener). */
const network = {
  isDown: false,
  async down() {
    if (this.isDown) return;
    this.isDown = true;
    await proxy.down();
  },
  async up() {
    if (!this.isDown) return;
    this.isDown = false;
    await proxy.up();
  },
};

interface Uploaded {
  doc: DocumentReference;
  bytes: Buffer;
  thumbnail: Buffer | null;
}

/** Uploads a file as the front desk would (straight to the server) and fetches its thumbnail. */
async function upload(
  patientId: string,
  bytes: Buffer,
  fileName: string,
  contentType: string,
  title: string,
  encounterId?: string,
): Promise<Uploaded> {
  const form = new FormData();
  form.append('patientId', patientId);
  if (encounterId) form.append('encounterId', encounterId);
  form.append('category', 'clinical-note');
  form.append('title', title);
  form.append('file', new Blob([bytes], { type: contentType }), fileName);
  const res = await fetch(`${w.url()}/api/v1/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  if (res.status !== 201) throw new Error(`upload of ${fileName}: ${await res.text()}`);
  const doc = (await res.json()) as DocumentReference;
  const urls = await w.call(token, 'POST', `/api/v1/documents/${doc.id}/urls`, {});
  const { thumbnailUrl } = urls.json<DocumentUrls>();
  const thumbnail = thumbnailUrl
    ? Buffer.from(await (await fetch(thumbnailUrl)).arrayBuffer())
    : null;
  return { doc, bytes, thumbnail };
}

interface TestCache {
  cache: OfflineCache;
  dir: string;
  events: CacheEvent[];
  limits: CacheLimits;
  now: { value: Date };
  views: OfflineView[];
  reopen(): Promise<TestCache>;
}

const caches: OfflineCache[] = [];
afterEach(async () => {
  await network.up();
  for (const cache of caches.splice(0)) await cache.stop();
});

async function startCache(
  name: string,
  limits: CacheLimits = { maxBytes: GiB, maxAgeMs: null },
  shared?: Pick<TestCache, 'dir' | 'limits' | 'now' | 'views'>,
  annotations?: (documentId: string) => Promise<unknown>,
): Promise<TestCache> {
  const dir = shared?.dir ?? path.join(scratch, name);
  const state = shared ?? { dir, limits, now: { value: new Date() }, views: [] as OfflineView[] };
  const secrets = new PlaintextSecretStore({
    env: { MEDAIUS_INSECURE_TEST_SECRETS: '1' },
    file: path.join(scratch, `${name}-secrets.json`),
  });
  const cache = await openOfflineCache({
    dir,
    secrets,
    api: createApiHttp({ baseUrl: () => proxy.url, token: () => token, fetch, timeoutMs: 10_000 }),
    limits: () => state.limits,
    clock: () => state.now.value,
    userId: () => w.a.users.clinician.id,
    sendViews: async (views) => {
      state.views.push(...views);
    },
    annotations,
    retryDelayMs: 50,
    reportError: () => undefined,
  });
  caches.push(cache);
  const events: CacheEvent[] = [];
  cache.subscribe((e) => events.push(e));
  return {
    cache,
    ...state,
    events,
    reopen: async () => {
      await cache.stop();
      caches.splice(caches.indexOf(cache), 1);
      return startCache(name, limits, state, annotations);
    },
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name));
}

/** Byte sequences anyone could recognise: slices of the original, its thumbnail, names, ids. */
function needlesOf(files: Uploaded[], words: string[]): { what: string; bytes: Buffer }[] {
  const needles: { what: string; bytes: Buffer }[] = [];
  const slices = (what: string, bytes: Buffer) => {
    for (const at of [0, Math.floor(bytes.length / 3), Math.floor(bytes.length / 2)]) {
      needles.push({ what: `${what} at ${at}`, bytes: bytes.subarray(at, at + 24) });
    }
    needles.push({ what: `${what} (end)`, bytes: bytes.subarray(bytes.length - 24) });
  };
  for (const f of files) {
    slices(f.doc.fileName, f.bytes);
    if (f.thumbnail) slices(`thumbnail of ${f.doc.fileName}`, f.thumbnail);
    words.push(f.doc.id, f.doc.title, f.doc.sha256);
  }
  for (const word of words) {
    needles.push({ what: word, bytes: Buffer.from(word) });
    needles.push({ what: `${word} (UTF-16)`, bytes: Buffer.from(word, 'utf16le') });
  }
  return needles;
}

function plaintextFound(dir: string, needles: { what: string; bytes: Buffer }[]): string[] {
  const found: string[] = [];
  for (const file of filesUnder(dir)) {
    const content = readFileSync(file);
    for (const n of needles) {
      if (path.basename(file).includes(n.bytes.toString('latin1')) || content.includes(n.bytes)) {
        found.push(`${n.what} in ${path.relative(dir, file)}`);
      }
    }
  }
  return found;
}

const problems = (events: CacheEvent[]) =>
  events.flatMap((e) => (e.type === 'problem' ? [e.message] : []));

describe('offline cache', () => {
  let turing: string;
  let letter: Uploaded;
  let photo: Uploaded;
  beforeAll(async () => {
    turing = w.a.patients[1]!;
    letter = await upload(
      turing,
      await pdf(3, 'Cardiology referral'),
      'referral.pdf',
      'application/pdf',
      'Cardiology referral letter',
    );
    photo = await upload(
      turing,
      await jpeg(900, 700),
      'wound.jpg',
      'image/jpeg',
      'Wound photo left ankle',
    );
  });

  it("keeps a pinned patient's documents readable with the API stopped, and nothing readable on disk", async () => {
    const t = await startCache('pinned');
    await t.cache.pin({ patientId: turing });
    const progress = await t.cache.syncNow();
    expect(progress).toMatchObject({ state: 'idle', documentsDone: 2, documentsTotal: 2 });
    expect(progress.bytesDone).toBe(letter.bytes.length + photo.bytes.length);

    await network.down();
    for (const f of [letter, photo]) {
      const opened = await t.cache.open(f.doc.id);
      expect(opened.source).toBe('cache');
      expect(opened.bytes.equals(f.bytes), f.doc.fileName).toBe(true);
      expect(opened.document.title).toBe(f.doc.title);
      expect((await t.cache.cachedThumbnail(f.doc.id))?.equals(f.thumbnail!)).toBe(true);
    }
    expect((await t.cache.cachedPatient(turing))?.familyName).toBe('Turing');
    expect(await t.cache.cachedEncounters(turing)).toHaveLength(2);
    expect((await t.cache.cachedDocuments({ patientId: turing })).map((d) => d.id).sort()).toEqual(
      [letter.doc.id, photo.doc.id].sort(),
    );
    // A document nobody pinned is not here, and says so rather than failing obscurely.
    const other = w.a.documents.lab;
    await expect(t.cache.open(other)).rejects.toThrow(NotAvailableOfflineError);

    // It survives a restart of the app, still offline.
    const again = await t.reopen();
    const reread = await again.cache.open(letter.doc.id);
    expect(reread.bytes.equals(letter.bytes)).toBe(true);
    const usage = await again.cache.usage();
    expect(usage.patients).toEqual([
      expect.objectContaining({
        patientId: turing,
        name: 'Alan Turing',
        mrn: 'ALPHA-2',
        documents: 2,
        pinnedBytes: expect.any(Number),
      }),
    ]);
    expect(usage.usedBytes).toBeGreaterThan(letter.bytes.length + photo.bytes.length);

    // Views served from the cache are kept, with their times, and reach the server's side later.
    const viewed = await again.cache.pendingViews();
    expect(viewed.map((v) => v.documentId).sort()).toEqual(
      [letter.doc.id, letter.doc.id, photo.doc.id].sort(),
    );
    expect(viewed.every((v) => v.userId === w.a.users.clinician.id && v.patientId === turing)).toBe(
      true,
    );

    const needles = needlesOf([letter, photo], ['Turing', 'Alan', 'ALPHA-2', turing]);
    expect(plaintextFound(t.dir, needles)).toEqual([]);
    // The search finds what it looks for when it is there: a copy of the originals.
    const control = path.join(scratch, 'control');
    mkdirSync(control);
    writeFileSync(path.join(control, 'plain'), Buffer.concat([letter.bytes, photo.thumbnail!]));
    expect(plaintextFound(control, needles).length).toBeGreaterThanOrEqual(8);
    rmSync(control, { recursive: true });

    await network.up();
    await again.cache.syncNow();
    expect(await again.cache.pendingViews()).toEqual([]);
    expect(again.views.map((v) => v.viewedAt)).toEqual(viewed.map((v) => v.viewedAt));
  });

  it('detects a damaged copy, never returns it, and downloads it again', async () => {
    const t = await startCache('damaged');
    await t.cache.pin({ documentIds: [letter.doc.id] });
    await t.cache.syncNow();
    // The file's blob is the one of its sealed size (names say nothing).
    const sealed = filesUnder(path.join(t.dir, 'blobs')).filter(
      (f) => statSync(f).size === sealedSizeOf(letter.bytes.length),
    );
    expect(sealed).toHaveLength(1);
    const damage = () => {
      const bytes = readFileSync(sealed[0]!);
      bytes[Math.floor(bytes.length / 2)]! ^= 0x40;
      writeFileSync(sealed[0]!, bytes);
    };

    damage();
    await network.down();
    await expect(t.cache.open(letter.doc.id)).rejects.toThrow(NotAvailableOfflineError);
    expect(problems(t.events).join('\n')).toMatch(
      /damaged .*authentication check.*downloaded again/,
    );

    // Back online, the pinned copy is downloaded again, and serves offline once more.
    await network.up();
    await t.cache.syncNow();
    await network.down();
    const restored = await t.cache.open(letter.doc.id);
    expect(restored).toMatchObject({ source: 'cache' });
    expect(restored.bytes.equals(letter.bytes)).toBe(true);

    // Damaged while online: the server's copy is shown instead, and kept again.
    await network.up();
    damage();
    const online = await t.cache.open(letter.doc.id);
    expect(online.source).toBe('server');
    expect(online.bytes.equals(letter.bytes)).toBe(true);
    await network.down();
    expect((await t.cache.open(letter.doc.id)).bytes.equals(letter.bytes)).toBe(true);
  });

  it('refuses a download that does not match the SHA-256 the server recorded, and never serves it', async () => {
    const scan = await upload(w.a.patients[2]!, await jpeg(), 'scan.jpg', 'image/jpeg', 'Scan');
    const setSha = (sha256: string) =>
      w.database.db
        .updateTable('document_references')
        .set({ sha256 })
        .where('id', '=', scan.doc.id)
        .execute();
    // The stored file no longer matches its record, as after damage in storage.
    await setSha('0'.repeat(64));
    const t = await startCache('checksum');
    await t.cache.pin({ documentIds: [scan.doc.id] });
    const progress = await t.cache.syncNow();
    expect(progress.state).toBe('failed');
    expect(progress.message).toMatch(/scan\.jpg.*does not match its recorded SHA-256/);
    // Dropped, downloaded once more, dropped again: two reports, nothing kept.
    expect(problems(t.events).filter((m) => /SHA-256/.test(m))).toHaveLength(2);
    expect(await t.cache.cachedDocuments()).toEqual([]);
    await expect(t.cache.open(scan.doc.id)).rejects.toThrow(ChecksumMismatchError);

    await setSha(scan.doc.sha256);
    expect(await t.cache.syncNow()).toMatchObject({ state: 'idle', documentsDone: 1 });
    await network.down();
    expect((await t.cache.open(scan.doc.id)).bytes.equals(scan.bytes)).toBe(true);
  });

  it('evicts the least recently opened copies to stay within the limit, and never a pinned one unless allowed', async () => {
    const grace = w.a.patients[2]!;
    const pinned = await upload(
      grace,
      await jpeg(1000, 800),
      'xray.jpg',
      'image/jpeg',
      'Chest X-ray',
    );
    const b = await upload(grace, await jpeg(1000, 800), 'b.jpg', 'image/jpeg', 'Photo B');
    const c = await upload(grace, await jpeg(1000, 800), 'c.jpg', 'image/jpeg', 'Photo C');
    const t = await startCache('eviction');
    await t.cache.pin({ documentIds: [pinned.doc.id] });
    await t.cache.syncNow();
    await t.cache.open(b.doc.id);
    t.now.value = new Date(t.now.value.getTime() + 1000);
    await t.cache.open(c.doc.id);
    t.now.value = new Date(t.now.value.getTime() + 1000);
    await t.cache.open(b.doc.id);
    const full = await t.cache.usage();
    const each = full.usedBytes / 3;

    // Room for two: C, the least recently opened, goes.
    t.limits.maxBytes = Math.floor(2.5 * each);
    expect(await t.cache.evict()).toEqual([c.doc.id]);
    // Room for less than the pinned copy alone: B goes, the pinned copy stays over the limit.
    t.limits.maxBytes = Math.floor(0.5 * each);
    expect(await t.cache.evict()).toEqual([b.doc.id]);
    const over = await t.cache.usage();
    expect(over.usedBytes).toBeGreaterThan(over.limitBytes);
    expect(over.pinnedBytes).toBe(over.patients[0]!.pinnedBytes);

    // Opening another document keeps it only if that does not push the pinned copy out.
    await t.cache.open(c.doc.id);
    await network.down();
    await expect(t.cache.open(c.doc.id)).rejects.toThrow(NotAvailableOfflineError);
    expect((await t.cache.open(pinned.doc.id)).bytes.equals(pinned.bytes)).toBe(true);

    // The user agreed: now the pinned copy goes too.
    expect(await t.cache.evict({ allowPinned: true })).toEqual([pinned.doc.id]);
    await expect(t.cache.open(pinned.doc.id)).rejects.toThrow(NotAvailableOfflineError);
    // …and the next sync does not bring back what does not fit: it says so.
    await network.up();
    const progress = await t.cache.syncNow();
    expect(progress.overLimit).toBe(1);
    expect(progress.message).toMatch(/do not fit within the offline storage limit/);
  });

  it('keeps pinned copies current: renamed, added and deleted documents, and their annotations', async () => {
    const patientId = w.a.patients[0]!;
    const encounterId = w.a.encounters[patientId]![0]!;
    // The annotations API is not there yet: the cache takes a function, here the server's stand-in.
    const notes = new Map<string, unknown>();
    const t = await startCache('current', undefined, undefined, async (id) => notes.get(id) ?? []);
    const first = await upload(
      patientId,
      await pdf(2, 'Discharge summary'),
      'discharge.pdf',
      'application/pdf',
      'Discharge summary',
      encounterId,
    );
    notes.set(first.doc.id, [{ type: 'text', content: { text: 'Query sepsis, recheck lactate' } }]);
    await t.cache.pin({ encounterId });
    await t.cache.syncNow();

    await network.down();
    expect(await t.cache.cachedAnnotations(first.doc.id)).toEqual(notes.get(first.doc.id));
    const range = await t.cache.openStream(first.doc.id, { start: 100, end: 1099 });
    expect(range!.size).toBe(first.bytes.length);
    expect((await buffer(range!.stream)).equals(first.bytes.subarray(100, 1100))).toBe(true);
    await network.up();

    const renamed = await w.call(token, 'PATCH', `/api/v1/documents/${first.doc.id}`, {
      title: 'Discharge summary (final)',
    });
    expect(renamed.statusCode).toBe(200);
    notes.set(first.doc.id, []);
    const second = await upload(
      patientId,
      await jpeg(),
      'rash.jpg',
      'image/jpeg',
      'Rash, day 2',
      encounterId,
    );
    await t.cache.syncNow();
    await network.down();
    expect((await t.cache.cachedDocument(first.doc.id))?.title).toBe('Discharge summary (final)');
    expect(await t.cache.cachedAnnotations(first.doc.id)).toEqual([]);
    expect((await t.cache.open(second.doc.id)).bytes.equals(second.bytes)).toBe(true);
    await network.up();

    const admin = await w.login(w.a.users.admin.email);
    expect((await w.call(admin, 'DELETE', `/api/v1/documents/${first.doc.id}`)).statusCode).toBe(
      204,
    );
    await t.cache.syncNow();
    await network.down();
    expect(await t.cache.cachedDocument(first.doc.id)).toBeNull();
    await expect(t.cache.open(first.doc.id)).rejects.toThrow(NotAvailableOfflineError);
    expect((await t.cache.cachedDocuments()).map((d) => d.id)).toEqual([second.doc.id]);
    expect(
      plaintextFound(t.dir, needlesOf([first, second], ['Query sepsis', 'Discharge'])),
    ).toEqual([]);
  });

  it('syncs in the background once started, and again when the network returns', async () => {
    const t = await startCache('background');
    t.cache.start();
    await network.down();
    await t.cache.pin({ documentIds: [photo.doc.id] });
    await vi.waitFor(() => expect(t.cache.progress().state).toBe('offline'), { timeout: 30_000 });
    expect(t.cache.progress().message).toMatch(/brought up to date when the server can be reached/);
    await network.up();
    t.cache.networkChanged();
    await vi.waitFor(
      () => expect(t.cache.progress()).toMatchObject({ state: 'idle', documentsDone: 1 }),
      { timeout: 30_000 },
    );
    await network.down();
    expect((await t.cache.open(photo.doc.id)).source).toBe('cache');
  });

  it('unpinning removes the copies that pin kept, and only those', async () => {
    const t = await startCache('unpin');
    const patientPin = await t.cache.pin({ patientId: turing });
    await t.cache.pin({ documentIds: [photo.doc.id] });
    await t.cache.syncNow();
    const other = await upload(w.a.patients[2]!, await jpeg(), 'other.jpg', 'image/jpeg', 'Other');
    expect((await t.cache.open(other.doc.id)).source).toBe('server');

    await t.cache.unpin(patientPin.id);
    await network.down();
    // The letter was kept only by the patient's pin; the photo is pinned on its own; the other
    // document was kept because it was opened.
    await expect(t.cache.open(letter.doc.id)).rejects.toThrow(NotAvailableOfflineError);
    expect((await t.cache.open(photo.doc.id)).source).toBe('cache');
    expect((await t.cache.open(other.doc.id)).source).toBe('cache');
    expect(t.cache.pins().map((p) => p.target)).toEqual([{ documentIds: [photo.doc.id] }]);
  });

  it("never shows one user's offline copies to another, nor to nobody", async () => {
    let owner: string | null = `${proxy.url} ${w.a.users.clinician.id}`;
    const cache = await openOfflineCache({
      dir: path.join(scratch, 'owner'),
      secrets: new PlaintextSecretStore({ env: { MEDAIUS_INSECURE_TEST_SECRETS: '1' } }),
      api: createApiHttp({ baseUrl: () => proxy.url, token: () => token, fetch }),
      limits: () => ({ maxBytes: GiB, maxAgeMs: null }),
      owner: () => owner,
      reportError: () => undefined,
    });
    caches.push(cache);
    await cache.pin({ documentIds: [photo.doc.id] });
    await cache.syncNow();
    await network.down();

    owner = null;
    await expect(cache.open(photo.doc.id)).rejects.toThrow(/nobody is signed in/);
    expect(await cache.cachedDocuments()).toEqual([]);

    owner = `${proxy.url} ${w.a.users['front-desk'].id}`;
    await expect(cache.open(photo.doc.id)).rejects.toThrow(NotAvailableOfflineError);
    expect(cache.pins()).toEqual([]);
    expect(filesUnder(path.join(scratch, 'owner', 'blobs'))).toEqual([]);
  });

  it('wipes everything readable, and starts again with a new key', async () => {
    const t = await startCache('wipe');
    await t.cache.pin({ patientId: turing });
    await t.cache.syncNow();
    const before = new Set(filesUnder(t.dir).map((f) => path.relative(t.dir, f)));
    const keyBefore = readFileSync(path.join(t.dir, 'key'));
    expect(before.size).toBeGreaterThan(4);

    await t.cache.wipe();
    const after = filesUnder(t.dir).map((f) => path.relative(t.dir, f));
    expect(after.filter((f) => f.startsWith('blobs'))).toEqual([]);
    expect(readFileSync(path.join(t.dir, 'key')).equals(keyBefore)).toBe(false);
    expect(t.cache.pins()).toEqual([]);
    expect((await t.cache.usage()).usedBytes).toBe(0);
    await network.down();
    await expect(t.cache.open(letter.doc.id)).rejects.toThrow(NotAvailableOfflineError);
    const reopened = await t.reopen();
    expect(await reopened.cache.cachedDocuments()).toEqual([]);
    expect(plaintextFound(t.dir, needlesOf([letter, photo], ['Turing', 'ALPHA-2']))).toEqual([]);
  });

  it("expires copies older than the administrator's maximum age", async () => {
    const day = 86_400_000;
    const t = await startCache('expiry', { maxBytes: GiB, maxAgeMs: 7 * day });
    await t.cache.pin({ documentIds: [photo.doc.id] });
    await t.cache.syncNow();
    await network.down();
    t.now.value = new Date(t.now.value.getTime() + 6 * day);
    expect((await t.cache.open(photo.doc.id)).source).toBe('cache');
    t.now.value = new Date(t.now.value.getTime() + 2 * day);
    await expect(t.cache.open(photo.doc.id)).rejects.toThrow(NotAvailableOfflineError);
    expect(await t.cache.expire()).toEqual([]);
    expect(await t.cache.cachedDocuments()).toEqual([]);
    expect(filesUnder(path.join(t.dir, 'blobs'))).toEqual([]);
    // A sync while online confirms the copy again, and it is kept.
    await network.up();
    await t.cache.syncNow();
    await network.down();
    expect((await t.cache.open(photo.doc.id)).bytes.equals(photo.bytes)).toBe(true);
  });

  it('starts empty, rather than failing, when its key is lost', async () => {
    const t = await startCache('lost-key');
    await t.cache.pin({ documentIds: [photo.doc.id] });
    await t.cache.syncNow();
    await t.cache.stop();
    caches.splice(caches.indexOf(t.cache), 1);
    writeFileSync(path.join(scratch, 'lost-key-secrets.json'), '{"version":1,"secrets":{}}');
    const fresh = await startCache('lost-key');
    expect(fresh.cache.progress().message).toMatch(/offline copies were removed/);
    expect(await fresh.cache.cachedDocuments()).toEqual([]);
    expect(filesUnder(path.join(fresh.dir, 'blobs'))).toEqual([]);
  });
});
