// SQLite's reader threads and checkpointer (src/server/db/read-pool.ts), on real files: a page
// read on a reader is what the main connection would read, sees what was committed, keeps its
// bytes until it is given back, and a reader that fails reports why and is replaced; the
// checkpointer moves the write-ahead log into the file without the main thread.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/server/db/database.js';
import {
  BACKSTOP_CHECKPOINT_PAGES,
  joinJsonRows,
  JSON_ROOM,
  SqliteReadPool,
  wrapJsonArray,
  type CheckpointResult,
  type JsonArray,
} from '../../../src/server/db/read-pool.js';

const dirs: string[] = [];
const pools: SqliteReadPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'medaius-read-pool-'));
  dirs.push(dir);
  return path.join(dir, 'test.sqlite');
}

/** A WAL database with `n` notes, and the main connection that wrote it. */
function notesDatabase(n: number): { file: string; main: SQLite.Database } {
  const file = tempFile();
  const main = new SQLite(file);
  main.pragma('journal_mode = WAL');
  main.exec('create table notes (id integer primary key, text text not null)');
  const insert = main.prepare('insert into notes (id, text) values (?, ?)');
  for (let i = 1; i <= n; i++) insert.run(i, `note ${i} — «ünïcödé» "quoted"`);
  return { file, main };
}

function pool(file: string, checkpointIntervalMs = 60_000): SqliteReadPool {
  const p = new SqliteReadPool(file, { readers: 1, checkpointIntervalMs });
  pools.push(p);
  return p;
}

const LIST = `select json_object('id', id, 'text', text) from notes order by id desc limit ?`;
const itemsOf = (a: JsonArray) => JSON.parse(a.bytes.toString('utf8', a.start, a.end)) as unknown;

describe('SQLite reader threads', () => {
  it('read a page exactly as the main connection would, with the row after it', async () => {
    const { file, main } = notesDatabase(12);
    const expected = main.prepare(LIST).pluck().all(11) as string[];
    const page = await pool(file).jsonArray(LIST, [11], 10);
    expect(itemsOf(page)).toEqual(expected.slice(0, 10).map((j) => JSON.parse(j)));
    expect(page.count).toBe(11);
    expect(page.last).toBe(expected[9]);
    expect(itemsOf(page)).toEqual(itemsOf(joinJsonRows(expected, 10)));

    const whole = await pool(file).jsonArray(LIST, [11], 20);
    expect(whole.count).toBe(11);
    expect(whole.last).toBeNull();
    const empty = await pool(file).jsonArray(`${LIST} offset 100`, [11], 10);
    expect(itemsOf(empty)).toEqual([]);
  });

  it('see every change committed before the read', async () => {
    const { file, main } = notesDatabase(1);
    const readers = pool(file);
    expect((await readers.jsonArray(LIST, [5], 5)).count).toBe(1);
    main.prepare('insert into notes (id, text) values (2, ?)').run('filed just now');
    const page = await readers.jsonArray(LIST, [5], 5);
    expect(itemsOf(page)).toEqual([
      { id: 2, text: 'filed just now' },
      { id: 1, text: expect.stringContaining('note 1') },
    ]);
  });

  it('refuse a statement that writes, and change nothing', async () => {
    const { file, main } = notesDatabase(1);
    await expect(
      pool(file).jsonArray(`delete from notes returning json_object('id', id)`, [], 10),
    ).rejects.toThrow('a database reader only runs statements that read');
    expect(main.prepare('select count(*) from notes').pluck().get()).toBe(1);
  });

  it("pass on SQLite's error and code", async () => {
    const { file } = notesDatabase(1);
    await expect(
      pool(file).jsonArray('select json_object() from missing', [], 1),
    ).rejects.toMatchObject({
      message: expect.stringContaining('no such table: missing'),
      code: 'SQLITE_ERROR',
    });
  });

  it("keep a page's bytes until it is given back, then take them back", async () => {
    const { file } = notesDatabase(60);
    const readers = pool(file);
    const held = await readers.jsonArray(LIST, [51], 50);
    const copy = Buffer.from(held.bytes.subarray(held.start, held.end));
    const later: JsonArray[] = [];
    for (let i = 0; i < 20; i++) {
      const page = await readers.jsonArray(`${LIST} offset ${i}`, [5], 5);
      later.push(page);
      page.recycle();
    }
    expect(Buffer.compare(held.bytes.subarray(held.start, held.end), copy)).toBe(0);
    held.recycle();
    // The memory now belongs to the reader thread again: nothing here can read it.
    expect(held.bytes.buffer.byteLength).toBe(0);
    held.recycle();
    expect(itemsOf(await readers.jsonArray(LIST, [51], 50))).toEqual(JSON.parse(copy.toString()));
  });

  it('report a reader that cannot start, and start a new one for the next read', async () => {
    const file = tempFile();
    const readers = pool(file);
    await expect(readers.jsonArray(LIST, [1], 1)).rejects.toThrow(
      /A database reader thread stopped: .*(unable to open|does not exist)/,
    );
    const main = new SQLite(file);
    main.pragma('journal_mode = WAL');
    main.exec('create table notes (id integer primary key, text text not null)');
    main.prepare('insert into notes values (1, ?)').run('after the failure');
    expect(itemsOf(await readers.jsonArray(LIST, [1], 1))).toEqual([
      { id: 1, text: 'after the failure' },
    ]);
  });

  it('answer nothing once closed', async () => {
    const { file } = notesDatabase(1);
    const readers = pool(file);
    await readers.close();
    await expect(readers.jsonArray(LIST, [1], 1)).rejects.toThrow('closed');
  });
});

describe('a page around its JSON array', () => {
  const page = (rows: string[], take: number) => joinJsonRows(rows, take);

  it('is written in place when the text around it fits', () => {
    const array = page(['{"a":1}', '{"a":2}'], 5);
    const body = wrapJsonArray(array, Buffer.from('{"items":'), ',"nextCursor":null}');
    expect(JSON.parse(body.toString())).toEqual({ items: [{ a: 1 }, { a: 2 }], nextCursor: null });
    expect(body.buffer).toBe(array.bytes.buffer);
  });

  it('is copied, whole, when it does not', () => {
    const array = page(['{"a":1}'], 5);
    const long = `,"nextCursor":"${'c'.repeat(JSON_ROOM.after * 2)}"}`;
    const body = wrapJsonArray(array, Buffer.from('{"items":'), long);
    expect(JSON.parse(body.toString())).toEqual({
      items: [{ a: 1 }],
      nextCursor: 'c'.repeat(1024),
    });
    expect(body.buffer).not.toBe(array.bytes.buffer);
  });
});

describe('the checkpointer', () => {
  it('moves the write-ahead log into the database file on its own', async () => {
    const { file, main } = notesDatabase(0);
    main.pragma('wal_autocheckpoint = 0');
    const readers = pool(file, 50);
    const heard = new Promise<CheckpointResult>((resolve) => {
      const stop = readers.onCheckpoint((result) => {
        if (result.log === 0) return;
        stop();
        resolve(result);
      });
    });
    const insert = main.prepare('insert into notes (text) values (?)');
    for (let i = 0; i < 200; i++) insert.run(`note ${i}`);
    const result = await heard;
    expect(result.busy).toBe(0);
    expect(result.checkpointed).toBe(result.log);
  });

  it('checkpoints when asked, and the main connection keeps a backstop', async () => {
    const file = tempFile();
    const database = openDatabase({ dialect: 'sqlite', file, readThreads: 1 });
    try {
      await sql`create table notes (id integer primary key, text text)`.execute(database.db);
      for (let i = 0; i < 50; i++) {
        await sql`insert into notes (text) values (${`note ${i}`})`.execute(database.db);
      }
      const result = await database.readPool!.checkpoint();
      expect(result).toMatchObject({ busy: 0 });
      expect(result.checkpointed).toBe(result.log);
      const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(
        database.db,
      );
      expect(rows[0]!.wal_autocheckpoint).toBe(BACKSTOP_CHECKPOINT_PAGES);
    } finally {
      await database.destroy();
    }
  });

  it('is not started without reader threads, where SQLite checkpoints by itself', async () => {
    const database = openDatabase({ dialect: 'sqlite', file: tempFile(), readThreads: 0 });
    try {
      expect(database.readPool).toBeUndefined();
      const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(
        database.db,
      );
      expect(rows[0]!.wal_autocheckpoint).toBe(1000);
    } finally {
      await database.destroy();
    }
  });
});
