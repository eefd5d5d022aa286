// The offline view log on a real file: views survive a restart with their original times, are
// unreadable on disk, leave once sent, and a torn last line or a lost key costs only what it must.
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ViewLog } from '../../../src/main/services/cache/view-log.js';

let dir: string;
let file: string;
const key = randomBytes(32);
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'medaius-views-'));
  file = path.join(dir, 'views');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const view = (documentId: string, viewedAt: string) => ({
  documentId,
  patientId: 'patient-7f3a',
  userId: 'user-1',
  viewedAt,
});

describe('offline view log', () => {
  it('keeps views across a restart, sealed, with their original times, until sent', async () => {
    const first = (await ViewLog.open(file, key)).log;
    await first.record(view('doc-b', '2026-11-02T10:00:00.000Z'));
    await first.record(view('doc-a', '2026-11-01T09:30:00.000Z'));
    await first.close();
    const onDisk = readFileSync(file, 'utf8');
    for (const secret of ['doc-a', 'patient-7f3a', '2026-11-01']) {
      expect(onDisk).not.toContain(secret);
    }
    // A crash tore the next append.
    appendFileSync(file, 'abc.defg');

    const { log, unreadable } = await ViewLog.open(file, key);
    expect(unreadable).toBe(0);
    expect(log.pending().map((v) => [v.documentId, v.viewedAt])).toEqual([
      ['doc-a', '2026-11-01T09:30:00.000Z'],
      ['doc-b', '2026-11-02T10:00:00.000Z'],
    ]);
    const sent: string[] = [];
    await expect(log.flush(async () => Promise.reject(new Error('offline')))).rejects.toThrow();
    expect(log.pending()).toHaveLength(2);
    expect(
      await log.flush(async (views) => void sent.push(...views.map((v) => v.documentId))),
    ).toBe(2);
    expect(sent).toEqual(['doc-a', 'doc-b']);
    await log.record(view('doc-c', '2026-11-03T08:00:00.000Z'));
    await log.close();

    const reopened = (await ViewLog.open(file, key)).log;
    expect(reopened.pending().map((v) => v.documentId)).toEqual(['doc-c']);
    await reopened.clear();
    expect(existsSync(file)).toBe(false);
  });

  it('drops, and counts, views sealed with a key that is gone', async () => {
    const log = (await ViewLog.open(file, key)).log;
    await log.record(view('doc-a', '2026-11-01T09:30:00.000Z'));
    await log.close();
    const other = await ViewLog.open(file, randomBytes(32));
    expect(other.unreadable).toBe(1);
    expect(other.log.pending()).toEqual([]);
    await other.log.close();
  });
});
