// Dropping files and folders on the inbox, as a front desk does: a folder tree with good files,
// hidden and system files, a JPEG named .pdf, an empty file and nested folders. What the user
// sees: the good files become items with thumbnails, the bad ones are listed with reasons that
// name them, hidden ones are silently skipped, and dropping the same things again adds nothing.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { IngestEvent } from '../../../src/main/services/ingest/index.js';
import { ensureFixtures, type Fixtures } from '../../fixtures/make-fixtures.js';
import { openWorld, stagedNames, type World } from '../../unit/ingest/harness.js';

let fixtures: Fixtures;
let scratch: string;
let world: World;

beforeAll(async () => {
  fixtures = await ensureFixtures();
  scratch = await mkdtemp(path.join(tmpdir(), 'medaius-drop-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});
afterEach(async () => {
  await world?.close();
});

/** The folder a user might drag in from a shared drive. */
async function clinicFolder(): Promise<string> {
  const root = path.join(scratch, `referrals-${Math.random().toString(36).slice(2)}`);
  await mkdir(path.join(root, '2024', 'march'), { recursive: true });
  await mkdir(path.join(root, '.git'), { recursive: true });
  await copyFile(fixtures.scannedPdf, path.join(root, 'referral.pdf'));
  await copyFile(fixtures.rotatedJpeg, path.join(root, '2024', 'wound photo.jpg'));
  await copyFile(fixtures.png, path.join(root, '2024', 'march', 'chart.png'));
  await copyFile(fixtures.text, path.join(root, '2024', 'march', 'notes.txt'));
  await copyFile(fixtures.spoofedPdf, path.join(root, '2024', 'lab-results.pdf'));
  await writeFile(path.join(root, '2024', 'march', 'empty-scan.pdf'), '');
  await copyFile(fixtures.scannedPdf, path.join(root, '.hidden-copy.pdf'));
  await writeFile(path.join(root, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  await writeFile(path.join(root, '2024', '.DS_Store'), Buffer.alloc(64, 1));
  await writeFile(path.join(root, '2024', 'Thumbs.db'), Buffer.alloc(64, 2));
  await writeFile(path.join(root, 'desktop.ini'), '[.ShellClassInfo]\n');
  await writeFile(path.join(root, '2024', 'march', '~$notes.docx'), Buffer.alloc(162, 3));
  return root;
}

describe('dropping a folder tree', () => {
  it('adds the good files, reports the bad ones by name and reason, skips hidden files', async () => {
    world = await openWorld();
    const folder = await clinicFolder();
    const report = await world.service.ingestPaths([folder], { source: 'folder' });

    expect(report.cancelled).toBe(false);
    expect(report.added.map((i) => i.originalName).sort()).toEqual([
      'chart.png',
      'notes.txt',
      'referral.pdf',
      'wound photo.jpg',
    ]);
    expect(report.added.every((item) => item.source === 'folder')).toBe(true);
    const rejected = Object.fromEntries(report.rejected.map((r) => [r.fileName, r]));
    expect(Object.keys(rejected).sort()).toEqual(['empty-scan.pdf', 'lab-results.pdf']);
    expect(rejected['lab-results.pdf']!.code).toBe('type_mismatch');
    expect(rejected['lab-results.pdf']!.reason).toMatch(/^lab-results\.pdf: .*named \.pdf.*JPEG/);
    expect(rejected['empty-scan.pdf']!.code).toBe('empty');
    expect(rejected['empty-scan.pdf']!.reason).toMatch(/^empty-scan\.pdf: the file is empty/);
    expect(rejected['empty-scan.pdf']!.path).toBe(
      path.join(folder, '2024', 'march', 'empty-scan.pdf'),
    );
    // .hidden-copy.pdf, .git, .DS_Store, Thumbs.db, desktop.ini and ~$notes.docx.
    expect(report.skipped).toBe(6);

    const items = world.service.listItems();
    expect(items).toHaveLength(4);
    const pdf = items.find((i) => i.originalName === 'referral.pdf')!;
    expect(pdf.type.mime).toBe('application/pdf');
    expect(pdf.pages).toHaveLength(3);
    expect(pdf.pages!.map((p) => p.index)).toEqual([0, 1, 2]);
    expect(pdf.pages!.every((p) => p.thumbnail.status === 'ready' && !p.blank)).toBe(true);
    for (const item of items) {
      expect(item.thumbnail.status, item.originalName).toBe(
        item.type.mime === 'text/plain' ? 'unsupported' : 'ready',
      );
      expect(item.problems).toEqual([]);
    }
    // Each rejection was announced as it happened, and progress reached every file.
    const announced = world.events.filter(
      (e): e is Extract<IngestEvent, { type: 'ingest-rejected' }> => e.type === 'ingest-rejected',
    );
    expect(announced.map((e) => e.rejection.fileName).sort()).toEqual([
      'empty-scan.pdf',
      'lab-results.pdf',
    ]);
    const last = world.events.filter((e) => e.type === 'ingest-progress').at(-1);
    expect(last).toMatchObject({ total: 6, done: 6, added: 4, rejected: 2, skipped: 6 });
    expect(world.events.at(-1)).toMatchObject({ type: 'ingest-finished' });
  });

  it('keeps working from its own copies once the source files are gone', async () => {
    world = await openWorld();
    const folder = await clinicFolder();
    await world.service.ingestPaths([folder]);
    await rm(folder, { recursive: true });
    const reopened = await world.restart();
    expect(reopened.listItems()).toHaveLength(4);
    const pdf = reopened.listItems().find((i) => i.originalName === 'referral.pdf')!;
    const filed = await reopened.fileItems({
      patientId: '5f0c2a1e-8d4b-4c7a-9a51-0d3f6b2e7c11',
      category: 'referral',
      items: [{ itemId: pdf.id }],
    });
    expect(filed.entries[0]!.stagedPath.startsWith(path.join(world.root, 'staging'))).toBe(true);
  });

  it('recognises files it already holds and adds nothing twice', async () => {
    world = await openWorld();
    const folder = await clinicFolder();
    await world.service.ingestPaths([folder]);
    const before = await stagedNames(world.root);
    const again = await world.service.ingestPaths([folder, path.join(folder, 'referral.pdf')]);
    expect(again.added).toEqual([]);
    expect(again.duplicates).toHaveLength(5);
    const referral = world.service.listItems().find((i) => i.originalName === 'referral.pdf')!;
    expect(
      again.duplicates.filter((d) => d.fileName === 'referral.pdf').map((d) => d.itemId),
    ).toEqual([referral.id, referral.id]);
    expect(world.service.listItems()).toHaveLength(4);
    expect(await stagedNames(world.root)).toEqual(before);
  });

  it('reports a dropped path that does not exist and carries on with the rest', async () => {
    world = await openWorld();
    const missing = path.join(scratch, 'moved-away.pdf');
    const report = await world.service.ingestPaths([missing, fixtures.png]);
    expect(report.added.map((i) => i.originalName)).toEqual(['chart.png']);
    expect(report.rejected).toEqual([
      expect.objectContaining({
        fileName: 'moved-away.pdf',
        code: 'unreadable',
        reason: expect.stringMatching(/^moved-away\.pdf: it no longer exists/),
      }),
    ]);
  });

  it('stops a large folder when cancelled, leaving only whole items', async () => {
    world = await openWorld();
    const big = path.join(scratch, 'big');
    await mkdir(big);
    for (let i = 0; i < 40; i++) {
      // Different bytes each, so none is a duplicate of another.
      await writeFile(path.join(big, `note-${i}.txt`), `Visit note ${i}: no acute findings.\n`);
    }
    const jobId = '0b7f3d6a-5c1e-4e2b-8f9a-6d4c3b2a1e0f';
    world.service.subscribe((event) => {
      if (event.type === 'inbox-changed') world.service.cancel(jobId);
    });
    const report = await world.service.ingestPaths([big], { jobId });
    expect(report.cancelled).toBe(true);
    // The file that was added, and at most what the two workers had in hand.
    expect(report.added.length).toBeGreaterThanOrEqual(1);
    expect(report.added.length).toBeLessThanOrEqual(3);
    expect(world.service.cancel(jobId)).toBe(false);
    const reopened = await world.restart();
    expect(
      reopened
        .listItems()
        .map((i) => i.id)
        .sort(),
    ).toEqual(report.added.map((i) => i.id).sort());
  });
});
