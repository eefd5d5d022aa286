// Opens the metadata database: SQLite (default, one file in DATA_DIR) or PostgreSQL, behind
// one Kysely instance, and runs the migrations.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config.js';
import { migrations } from './migrations/index.js';
import type { DB } from './schema.js';

export type Dialect = DatabaseConfig['dialect'];

export interface Database {
  db: Kysely<DB>;
  dialect: Dialect;
  destroy(): Promise<void>;
}

export function openDatabase(
  config: DatabaseConfig,
  options: { poolSize?: number } = {},
): Database {
  const db =
    config.dialect === 'sqlite'
      ? new Kysely<DB>({ dialect: new SqliteDialect({ database: openSqlite(config.file) }) })
      : new Kysely<DB>({
          dialect: new PostgresDialect({
            pool: new pg.Pool({
              connectionString: config.connectionString,
              max: options.poolSize ?? 10,
              // int8 (counts, sizes, sequence numbers) as JS numbers: all stay below 2^53.
              types: {
                getTypeParser: (oid, format) =>
                  oid === 20 ? Number : pg.types.getTypeParser(oid, format),
              },
            }),
          }),
        });
  return { db, dialect: config.dialect, destroy: () => db.destroy() };
}

function openSqlite(file: string): SQLite.Database {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  // WAL with synchronous=NORMAL stays durable across application crashes; only an OS crash
  // can lose the last transactions, never corrupt the file.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  return sqlite;
}

export async function migrateToLatest(db: Kysely<DB>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const name = failed ? ` (${failed.migrationName})` : '';
    throw new Error(
      `Database migration failed${name}: ${(error as Error)?.message ?? 'unknown error'}`,
    );
  }
}
