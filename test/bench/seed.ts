// Loads the benchmark clinic into a migrated database as fast as each engine allows, then
// refreshes the planner's statistics. The secondary indexes of document_references are
// dropped for the load and rebuilt from their own definitions (read back from the catalog, so
// the migration stays their only source): one sorted build is far cheaper than a million
// random inserts into each. Rows are generated consistent, so neither engine checks foreign
// keys row by row during the load.
//
// The rows are written by a child process (seed-process.ts): generating them and, on SQLite,
// writing them hold a thread for seconds at a time, and the benchmark's own process has to
// stay free to answer Ctrl-C and remove its databases. SQLite: one prepared statement per
// table, one transaction per chunk of patients. PostgreSQL: per table and chunk one
// INSERT … SELECT FROM unnest(column arrays), so a statement carries 23 parameters, however
// many rows.
import SQLite from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/server/db/database.js';
import type { DB } from '../../src/server/db/schema.js';
import { UserRepository } from '../../src/server/repositories/users.js';
import { ROLES } from '../../src/shared/domain.js';
import { ADMIN_PG_URL } from '../support/database.js';
import { startChild } from './child.js';
import { PATIENTS, patientRows, type Dataset, type PatientRows } from './dataset.js';

/** Patients per transaction: 100 patients are 10,000 documents. */
const CHUNK_PATIENTS = 100;
/** Longest pause between two progress lines of the seeding child before it counts as stuck. */
const STEP_TIMEOUT_MS = 10 * 60_000;

type Row = Record<string, string | number | null>;
type Table = 'patients' | 'encounters' | 'document_references';

/**
 * Where a test database lives, as the server's DATABASE_URL: the SQLite file, or the
 * PostgreSQL database on the test server. A server in another process opens it from this.
 */
export async function databaseUrlOf(database: Database): Promise<string> {
  if (database.dialect === 'sqlite') {
    const { rows } = await sql<{ name: string; file: string }>`pragma database_list`.execute(
      database.db,
    );
    const main = rows.find((r) => r.name === 'main');
    if (!main?.file) throw new Error('the SQLite test database has no file');
    return main.file;
  }
  const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(
    database.db,
  );
  const url = new URL(ADMIN_PG_URL);
  url.pathname = `/${rows[0]!.name}`;
  return url.toString();
}

/**
 * Seeds `database`. `onProgress` hears how many patients are written; after the last, the
 * indexes and statistics are rebuilt before this resolves. Abort `signal` to stop early.
 */
export async function seedDataset(
  database: Database,
  dataset: Dataset,
  passwordHash: string,
  onProgress: (patientsDone: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  await insertOrganization(database.db, dataset, passwordHash);
  const child = startChild('seed-process.ts', {
    MEDAIUS_BENCH_DATABASE_URL: await databaseUrlOf(database),
    MEDAIUS_BENCH_SEED: String(dataset.seed),
  });
  const abort = () => void child.stop();
  signal?.addEventListener('abort', abort);
  try {
    for (let done = 0; done < PATIENTS;) {
      const line = await child.nextLine('progress', STEP_TIMEOUT_MS);
      done = (JSON.parse(line) as { patients: number }).patients;
      onProgress(done);
    }
    await child.exited;
  } finally {
    signal?.removeEventListener('abort', abort);
    await child.stop();
  }
}

async function insertOrganization(db: Kysely<DB>, dataset: Dataset, passwordHash: string) {
  const users = new UserRepository(db);
  const createdAt = '2020-12-01T09:00:00.000Z';
  await users.insertOrganization({
    id: dataset.organizationId,
    name: dataset.organizationName,
    acl_enabled: 0,
    created_at: createdAt,
  });
  for (const role of ROLES) {
    const user = dataset.users[role];
    await users.insertUser({
      id: user.id,
      organization_id: dataset.organizationId,
      email: user.email,
      name: `Bench ${role}`,
      role,
      password_hash: passwordHash,
      created_at: createdAt,
      disabled_at: null,
    });
  }
}

function* chunks(dataset: Dataset): Generator<PatientRows[]> {
  for (let start = 0; start < PATIENTS; start += CHUNK_PATIENTS) {
    const chunk: PatientRows[] = [];
    for (let i = start; i < Math.min(start + CHUNK_PATIENTS, PATIENTS); i++) {
      chunk.push(patientRows(dataset, i));
    }
    yield chunk;
  }
}

function tablesOf(chunk: PatientRows[]): [Table, Row[]][] {
  return [
    ['patients', chunk.map((p) => p.patient as unknown as Row)],
    ['encounters', chunk.flatMap((p) => p.encounters as unknown as Row[])],
    ['document_references', chunk.flatMap((p) => p.documents as unknown as Row[])],
  ];
}

/**
 * The SQLite load itself, synchronous from start to end: rows (`onProgress` hears patients
 * written), then the index builds, ANALYZE and a checkpoint.
 */
export function writeSqlite(
  file: string,
  dataset: Dataset,
  onProgress: (patientsDone: number) => void,
): void {
  const conn = new SQLite(file);
  try {
    // Seeding only: a crash here means running the benchmark again, so skip the syncs.
    conn.pragma('synchronous = OFF');
    conn.pragma('cache_size = -1048576');
    const indexes = conn
      .prepare(
        `select name, sql from sqlite_master
         where type = 'index' and tbl_name = 'document_references' and sql is not null`,
      )
      .all() as { name: string; sql: string }[];
    for (const index of indexes) conn.exec(`drop index "${index.name}"`);

    const statements = new Map<Table, SQLite.Statement>();
    const statementFor = (table: Table, columns: string[]) => {
      let statement = statements.get(table);
      if (!statement) {
        const names = columns.map((c) => `"${c}"`).join(', ');
        const slots = columns.map(() => '?').join(', ');
        statement = conn.prepare(`insert into "${table}" (${names}) values (${slots})`);
        statements.set(table, statement);
      }
      return statement;
    };
    const writeChunk = conn.transaction((chunk: PatientRows[]) => {
      for (const [table, rows] of tablesOf(chunk)) {
        const columns = Object.keys(rows[0]!);
        const statement = statementFor(table, columns);
        for (const row of rows) statement.run(columns.map((c) => row[c]));
      }
    });
    let done = 0;
    for (const chunk of chunks(dataset)) {
      writeChunk(chunk);
      done += chunk.length;
      onProgress(done);
    }

    for (const index of indexes) conn.exec(index.sql);
    conn.exec('ANALYZE');
    // Start the measured server with an empty write-ahead log, as a long-running one has.
    conn.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    conn.close();
  }
}

/** PostgreSQL array type per column; every other column is text. */
const PG_ARRAY_TYPES: Record<string, string> = { file_size: 'int8' };

/** The PostgreSQL load: rows (`onProgress` hears patients written), then indexes, VACUUM. */
export async function writePostgres(
  db: Kysely<DB>,
  dataset: Dataset,
  onProgress: (patientsDone: number) => void,
): Promise<void> {
  const { rows: indexes } = await sql<{ name: string; definition: string }>`
    select c.relname as name, pg_get_indexdef(i.indexrelid) as definition
    from pg_index i join pg_class c on c.oid = i.indexrelid
    where i.indrelid = 'document_references'::regclass and not i.indisunique`.execute(db);
  for (const index of indexes) await sql`drop index ${sql.id(index.name)}`.execute(db);

  let done = 0;
  for (const chunk of chunks(dataset)) {
    await db.transaction().execute(async (trx) => {
      // Skips the per-row foreign-key triggers: the rows are generated consistent.
      await sql`set local session_replication_role = replica`.execute(trx);
      for (const [table, rows] of tablesOf(chunk)) {
        const columns = Object.keys(rows[0]!);
        const arrays = columns.map(
          (c) => sql`${rows.map((r) => r[c])}::${sql.raw(PG_ARRAY_TYPES[c] ?? 'text')}[]`,
        );
        await sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))})
          select * from unnest(${sql.join(arrays)})`.execute(trx);
      }
    });
    done += chunk.length;
    onProgress(done);
  }

  await db.transaction().execute(async (trx) => {
    await sql`set local maintenance_work_mem = '512MB'`.execute(trx);
    for (const index of indexes) await sql.raw(index.definition).execute(trx);
  });
  // VACUUM as well as ANALYZE: it sets the hint bits and visibility map a bulk load leaves
  // unset, so the measured reads do not pay for that clean-up.
  await sql`vacuum (analyze)`.execute(db);
}
