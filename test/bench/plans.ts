// Query plans of the list endpoint. For each scenario the benchmark compiles the repository's
// list query (DocumentRepository.listQuery), calls the real endpoint once while recording
// every statement it issues, checks the two agree, and prints the database's plan for each
// statement: EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL. A plan that reads a large
// table without an index, or through an index with no equality beyond organization_id (which
// is every row when one clinic holds them all), is a failure.
import {
  CompiledQuery,
  PostgresQueryCompiler,
  SqliteQueryCompiler,
  type KyselyPlugin,
  type QueryCompiler,
  type QueryResult,
  type UnknownRow,
} from 'kysely';
import { systemClock } from '../../src/server/clock.js';
import { composeServer } from '../../src/server/compose.js';
import type { ServerConfig } from '../../src/server/config.js';
import type { Database } from '../../src/server/db/database.js';
import { DocumentRepository } from '../../src/server/repositories/documents.js';
import { Random, type Dataset } from './dataset.js';
import { filterOf, pathOf, SCENARIOS } from './scenarios.js';

/** Tables large enough here that reading one from end to end is a bug, not a planner choice. */
const LARGE_TABLES = new Set(['document_references', 'patients', 'encounters', 'audit_events']);

/** Not selective on its own: a single clinic may hold every row. */
const TENANT_COLUMN = 'organization_id';

export interface PlanCheck {
  /** what the report prints */
  lines: string[];
  failures: string[];
}

interface Explained {
  lines: string[];
  /** full scans of large tables, one phrase each */
  fullScans: string[];
  /** sorts the index order did not spare */
  sorts: boolean;
}

/** Each index's table, so a plan step naming only the index can be judged by its table. */
type IndexTables = Map<string, string>;

/** `config`: the measured server's, so the in-process app here is built the same way. */
export async function checkPlans(
  database: Database,
  config: ServerConfig,
  dataset: Dataset,
  password: string,
): Promise<PlanCheck> {
  const recorder = new StatementRecorder(database);
  const recording: Database = { ...database, db: database.db.withPlugin(recorder) };
  const { app } = await composeServer(config, recording, { clock: systemClock });
  const lines: string[] = [];
  const failures: string[] = [];
  try {
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: dataset.users.clinician.email, password },
    });
    if (login.statusCode !== 200) throw new Error(`plan check: login failed: ${login.body}`);
    const token = login.json<{ token: string }>().token;

    const indexTables = await indexTablesOf(database);
    const others = new Map<string, CompiledQuery>();
    const rng = new Random(7);
    for (const [i, scenario] of SCENARIOS.entries()) {
      const params = scenario.draw(rng, dataset);
      const expected = new DocumentRepository(database.db)
        .listQuery(filterOf(dataset, params))
        .compile();
      recorder.start();
      const res = await app.inject({
        method: 'GET',
        url: pathOf(params),
        headers: { authorization: `Bearer ${token}` },
      });
      const issued = recorder.stop();
      const label = `(${i + 1}) ${scenario.name}`;
      if (res.statusCode !== 200) {
        failures.push(`${label}: GET ${pathOf(params)} answered ${res.statusCode}: ${res.body}`);
        continue;
      }
      const list = issued.find((q) => q.sql === expected.sql);
      if (!list || JSON.stringify(list.parameters) !== JSON.stringify(expected.parameters)) {
        failures.push(
          `${label}: the endpoint did not issue listQuery(filter) as the benchmark builds it; ` +
            'update filterOf in test/bench/scenarios.ts to match DocumentService.list',
        );
      }
      const plan = await explain(database, indexTables, expected);
      lines.push(`${label}  GET ${pathOf(params)}`, `  ${expected.sql}`);
      lines.push(`  parameters: ${JSON.stringify(expected.parameters)}`, ...plan.lines, '');
      failures.push(...plan.fullScans.map((s) => `${label}: ${s}`));
      if (plan.sorts) lines.push('  note: sorts the matching rows; no index yields the order', '');
      for (const q of issued) {
        if (q.sql !== expected.sql && !others.has(q.sql)) others.set(q.sql, q);
      }
    }

    lines.push('Other statements each list request issues (authentication, access, audit):', '');
    for (const q of others.values()) {
      const plan = /^\s*(select|update|delete)/i.test(q.sql)
        ? await explain(database, indexTables, q)
        : null;
      lines.push(`  ${q.sql}`, ...(plan ? plan.lines : ['    (insert: no read)']), '');
      if (plan) failures.push(...plan.fullScans.map((s) => `${q.sql.slice(0, 60)}…: ${s}`));
    }
  } finally {
    await app.close();
  }
  return { lines, failures };
}

/**
 * Records the SQL of every statement issued through the Kysely instance it is plugged into,
 * compiled by the dialect's own compiler, so the text is what the database receives.
 */
class StatementRecorder implements KyselyPlugin {
  private readonly compiler: QueryCompiler;
  private recorded: CompiledQuery[] | null = null;

  constructor(database: Database) {
    this.compiler =
      database.dialect === 'sqlite' ? new SqliteQueryCompiler() : new PostgresQueryCompiler();
  }

  start(): void {
    this.recorded = [];
  }

  stop(): CompiledQuery[] {
    const recorded = this.recorded ?? [];
    this.recorded = null;
    return recorded;
  }

  transformQuery: KyselyPlugin['transformQuery'] = ({ node, queryId }) => {
    this.recorded?.push(this.compiler.compileQuery(node, queryId));
    return node;
  };

  transformResult(args: { result: QueryResult<UnknownRow> }): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

async function indexTablesOf(database: Database): Promise<IndexTables> {
  const query =
    database.dialect === 'sqlite'
      ? `select name as "index", tbl_name as "table" from sqlite_master where type = 'index'`
      : `select indexname as "index", tablename as "table" from pg_indexes
         where schemaname = current_schema()`;
  const { rows } = await database.db.executeQuery<{ index: string; table: string }>(
    CompiledQuery.raw(query, []),
  );
  return new Map(rows.map((r) => [r.index, r.table]));
}

async function explain(
  database: Database,
  indexTables: IndexTables,
  query: CompiledQuery,
): Promise<Explained> {
  const parameters = [...query.parameters];
  if (database.dialect === 'sqlite') {
    const { rows } = await database.db.executeQuery<{ id: number; parent: number; detail: string }>(
      CompiledQuery.raw(`explain query plan ${query.sql}`, parameters),
    );
    return explainedSqlite(query.sql, indexTables, rows);
  }
  const { rows } = await database.db.executeQuery<{ 'QUERY PLAN': string }>(
    CompiledQuery.raw(`explain ${query.sql}`, parameters),
  );
  return explainedPostgres(
    indexTables,
    rows.map((r) => r['QUERY PLAN']),
  );
}

/** Table names by alias, from the compiled SQL's `"table" as "alias"`. */
function aliasesOf(sqlText: string): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const m of sqlText.matchAll(/"(\w+)" as "(\w+)"/g)) aliases.set(m[2]!, m[1]!);
  return aliases;
}

/**
 * Why reading `table` this way touches all of it (or all of one clinic's part), or null when
 * it does not: `equalities` are the columns the index is searched by equality on.
 */
function fullScan(table: string, how: string, equalities: string[] | null): string | null {
  if (!LARGE_TABLES.has(table)) return null;
  if (equalities === null) return `reads all of ${table}: ${how}`;
  if (equalities.some((c) => c !== TENANT_COLUMN)) return null;
  return `reads all of the organization's ${table} (no equality beyond ${TENANT_COLUMN}): ${how}`;
}

/** SQLite: `SCAN t …` reads everything; `SEARCH t USING INDEX i (a=? AND b>?)` is judged by its equalities. */
function explainedSqlite(
  sqlText: string,
  indexTables: IndexTables,
  rows: { id: number; parent: number; detail: string }[],
): Explained {
  const aliases = aliasesOf(sqlText);
  const depth = new Map<number, number>();
  const lines: string[] = [];
  const fullScans: string[] = [];
  let sorts = false;
  for (const row of rows) {
    const d = (depth.get(row.parent) ?? 0) + 1;
    depth.set(row.id, d);
    const step = /^(SCAN|SEARCH) (\w+)(?: USING .*?INDEX (\w+))?(?: \((.*)\))?/.exec(row.detail);
    let problem: string | null = null;
    if (step) {
      const [, kind, name, index, constraints] = step;
      const table = aliases.get(name!) ?? (index && indexTables.get(index)) ?? name!;
      const equalities =
        kind === 'SCAN' ? null : [...(constraints ?? '').matchAll(/(\w+)=\?/g)].map((m) => m[1]!);
      problem = fullScan(table, row.detail, equalities);
    }
    if (problem) fullScans.push(problem);
    if (/TEMP B-TREE FOR (ORDER BY|RIGHT PART OF ORDER BY)/.test(row.detail)) sorts = true;
    lines.push(`  ${'  '.repeat(d)}${row.detail}${problem ? '   <-- FULL SCAN' : ''}`);
  }
  return { lines, fullScans, sorts };
}

/**
 * PostgreSQL: a Seq Scan reads everything; an index or bitmap index scan is judged by the
 * equalities in its Index Cond, found among the detail lines below it.
 */
function explainedPostgres(indexTables: IndexTables, planLines: string[]): Explained {
  const lines: string[] = [];
  const fullScans: string[] = [];
  let sorts = false;
  for (const [i, line] of planLines.entries()) {
    const seq = /Seq Scan on (\w+)/.exec(line);
    const indexed = /(?:Index Only Scan|Index Scan)(?: Backward)? using (\w+) on (\w+)/.exec(line);
    const bitmap = /Bitmap Index Scan on (\w+)/.exec(line);
    let problem: string | null = null;
    if (seq) {
      problem = fullScan(seq[1]!, line.trim(), null);
    } else if (indexed || bitmap) {
      const table = indexed ? indexed[2]! : (indexTables.get(bitmap![1]!) ?? bitmap![1]!);
      const details: string[] = [];
      for (const next of planLines.slice(i + 1)) {
        if (next.includes('->')) break;
        details.push(next);
      }
      const condition = details.find((d) => d.includes('Index Cond:')) ?? '';
      const equalities = [...condition.matchAll(/\((\w+) = /g)].map((m) => m[1]!);
      problem = fullScan(table, line.trim(), equalities);
    }
    if (problem) fullScans.push(problem);
    if (/^\s*(->\s*)?(Incremental )?Sort\b/.test(line)) sorts = true;
    lines.push(`    ${line}${problem ? '   <-- FULL SCAN' : ''}`);
  }
  return { lines, fullScans, sorts };
}
