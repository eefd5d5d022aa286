// Real databases for tests: a fresh SQLite file, or a fresh PostgreSQL database created on
// the local server (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test) and dropped after.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import {
  migrateToLatest,
  openDatabase,
  type Database,
  type Dialect,
} from '../../src/server/db/database.js';

export const DIALECTS: Dialect[] = ['sqlite', 'postgres'];

export const ADMIN_PG_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase extends Database {
  drop(): Promise<void>;
}

/** `readThreads`: SQLite's reader threads and checkpointer (read-pool.ts); none by default. */
export async function createTestDatabase(
  dialect: Dialect,
  options: { readThreads?: number } = {},
): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'medaius-test-'));
    const database = openDatabase({
      dialect,
      file: path.join(dir, 'test.sqlite'),
      readThreads: options.readThreads,
    });
    await migrateToLatest(database.db);
    return {
      ...database,
      drop: async () => {
        await database.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `medaius_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_PG_URL);
  url.pathname = `/${name}`;
  const database = openDatabase({ dialect, connectionString: url.toString() });
  await migrateToLatest(database.db);
  return {
    ...database,
    drop: async () => {
      await database.destroy();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_PG_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
