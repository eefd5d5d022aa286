// Small rules about files on disk that the user would feel if they were wrong: which files in a
// dropped folder are the system's and not theirs, and that moving a hot-folder file into
// processed/ never replaces a file already there.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moveWithoutOverwriting } from '../../../src/main/services/ingest/hot-folder.js';
import { isIgnoredName } from '../../../src/main/services/ingest/walk.js';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'medaius-disk-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('files the user did not mean', () => {
  it.each([
    '.DS_Store',
    '.hidden.pdf',
    'Thumbs.db',
    'thumbs.db',
    'desktop.ini',
    'Desktop.ini',
    '~$letter.docx',
    '$RECYCLE.BIN',
    '__MACOSX',
  ])('skips %s', (name) => expect(isIgnoredName(name)).toBe(true));
  it.each(['referral.pdf', 'scan 0001.jpg', 'x.db', '~draft.pdf', 'report.ds_store.pdf'])(
    'keeps %s',
    (name) => expect(isIgnoredName(name)).toBe(false),
  );
});

describe('moving into processed/', () => {
  it('adds a number instead of replacing a file of the same name', async () => {
    const inbox = path.join(scratch, 'in');
    const done = path.join(scratch, 'done');
    await mkdir(inbox);
    await mkdir(done);
    await writeFile(path.join(done, 'scan.pdf'), 'first');
    await writeFile(path.join(done, 'scan (1).pdf'), 'second');
    await writeFile(path.join(inbox, 'scan.pdf'), 'third');
    const moved = await moveWithoutOverwriting(path.join(inbox, 'scan.pdf'), done);
    expect(moved).toBe(path.join(done, 'scan (2).pdf'));
    expect(await readdir(inbox)).toEqual([]);
    expect(
      await Promise.all(
        ['scan.pdf', 'scan (1).pdf', 'scan (2).pdf'].map((n) =>
          readFile(path.join(done, n), 'utf8'),
        ),
      ),
    ).toEqual(['first', 'second', 'third']);
  });
});
