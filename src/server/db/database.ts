// Opens the metadata database: SQLite (default, one file in DATA_DIR) or PostgreSQL, behind
// one Kysely instance, and runs the migrations.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import {
  Kysely,
  type CompiledQuery,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  type SqliteDatabase,
  type SqliteStatement,
} from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config.js';
import { migrations } from './migrations/index.js';
import {
  BACKSTOP_CHECKPOINT_PAGES,
  joinJsonRows,
  SqliteReadPool,
  type JsonArray,
} from './read-pool.js';
import type { DB } from './schema.js';

export type Dialect = DatabaseConfig['dialect'];

export interface Database {
  db: Kysely<DB>;
  dialect: Dialect;
  /**
   * Runs `query`, whose rows each have one column holding a JSON value, outside any
   * transaction, and returns the first `take` rows as one JSON array. On SQLite with reader
   * threads (read-pool.ts) it runs on one of them.
   */
  jsonArray(query: CompiledQuery, take: number): Promise<JsonArray>;
  /** SQLite's reader threads and checkpointer, when it has them */
  readPool: SqliteReadPool | undefined;
  destroy(): Promise<void>;
}

export function openDatabase(
  config: DatabaseConfig,
  options: { poolSize?: number } = {},
): Database {
  const readThreads =
    config.dialect === 'sqlite' && config.file !== ':memory:' ? (config.readThreads ?? 0) : 0;
  const db =
    config.dialect === 'sqlite'
      ? new Kysely<DB>({
          dialect: new SqliteDialect({
            database: withStatementCache(openSqlite(config.file, readThreads > 0)),
          }),
        })
      : new Kysely<DB>({
          dialect: new PostgresDialect({ pool: openPool(config.connectionString, options) }),
        });
  const jsonArrayHere = async (query: CompiledQuery, take: number) => {
    const { rows } = await db.executeQuery<Record<string, string>>(query);
    return joinJsonRows(
      rows.map((row) => Object.values(row)[0]!),
      take,
    );
  };
  if (config.dialect !== 'sqlite' || readThreads < 1) {
    return {
      db,
      dialect: config.dialect,
      jsonArray: jsonArrayHere,
      readPool: undefined,
      destroy: () => db.destroy(),
    };
  }
  const readPool = new SqliteReadPool(config.file, { readers: readThreads });
  return {
    db,
    dialect: config.dialect,
    jsonArray: (query, take) => readPool.jsonArray(query.sql, query.parameters, take),
    readPool,
    destroy: async () => {
      await readPool.close();
      await db.destroy();
    },
  };
}

function openPool(connectionString: string, options: { poolSize?: number }): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize ?? 10,
    // int8 (counts, sizes, sequence numbers) as JS numbers: all stay below 2^53.
    types: {
      getTypeParser: (oid, format) => (oid === 20 ? Number : pg.types.getTypeParser(oid, format)),
    },
  });
  // An idle connection the server ends (a restart, a failover, an administrator) is dropped by
  // the pool and replaced on the next query; unheard, its 'error' event would end the process.
  pool.on('error', (error) => {
    console.error(`A PostgreSQL connection was closed by the server: ${error.message}`);
  });
  return pool;
}

/** `checkpointer`: whether a read pool's checkpointer will keep the log short (read-pool.ts). */
function openSqlite(file: string, checkpointer: boolean): SQLite.Database {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  // WAL with synchronous=NORMAL stays durable across application crashes; only an OS crash
  // can lose the last transactions, never corrupt the file.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  if (checkpointer) sqlite.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
  return sqlite;
}

/** How many distinct SQL texts keep their prepared statement; the API issues a few dozen. */
const STATEMENT_CACHE_SIZE = 200;

/**
 * The database as Kysely's SqliteDriver sees it, with `prepare` reusing the statement already
 * prepared for the same SQL text (least recently used dropped first). The driver prepares on
 * every query, and preparing costs about a tenth of the list endpoint's CPU. Reuse is safe
 * because Kysely holds SQLite's single connection for a query's whole run, streams included,
 * so no two queries ever use one statement at once.
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => {
      statements.clear();
      sqlite.close();
    },
    prepare(sqlText: string): SqliteStatement {
      let statement = statements.get(sqlText);
      if (statement) {
        statements.delete(sqlText);
      } else {
        statement = sqlite.prepare(sqlText);
        if (statements.size >= STATEMENT_CACHE_SIZE) {
          statements.delete(statements.keys().next().value!);
        }
      }
      statements.set(sqlText, statement);
      return statement;
    },
  };
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
