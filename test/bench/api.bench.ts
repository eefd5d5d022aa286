// `npm run bench:api`: the document list endpoint under concurrent load, on SQLite and on
// PostgreSQL. For each dialect: a fresh database with 1,000,000 document references over
// 10,000 patients, the plan of every statement the endpoint issues, then autocannon against
// the real server (in a child process) for each of the four list scenarios. Prints requests/s
// and p50/p99 latency per scenario, and what a request costs the server in CPU. Exits non-zero
// when a request failed or a plan reads a large table end to end (or all of one organization's
// rows); a p99 above the SQLite target is printed as MISSED TARGET, not failed, because
// timing depends on the machine.
//
//   npm run bench:api [-- --dialect sqlite|postgres] [--seconds 10] [--connections 32]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { loadConfig } from '../../src/server/config.js';
import type { Dialect } from '../../src/server/db/database.js';
import { hashPassword } from '../../src/server/services/auth.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/database.js';
import { DOCUMENTS_PER_PATIENT, PATIENTS, planDataset, type Dataset } from './dataset.js';
import { runLoad, type LoadOptions, type LoadResult } from './load.js';
import { checkPlans } from './plans.js';
import { SCENARIOS } from './scenarios.js';
import { databaseUrlOf, seedDataset } from './seed.js';
import { startServerProcess } from './server-process.js';

/** The target: p99 at 32 connections on SQLite, on the project's 2-core machine. */
const TARGET_P99_MS = 25;
const WARM_UP_SECONDS = 3;
const DATASET_SEED = 20261127;
const PASSWORD = 'benchmark-password';
const TITLES: Record<Dialect, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

const LEGEND = `
server CPU ms/req: the server process's CPU time per request, all its threads together (on SQLite
  the main thread and the reader threads; PostgreSQL's own work is not in it). It depends less
  than latency on what else runs. Each connection waits for its answer before it sends again,
  so p50 ≈ connections / (req/s): p99 ≤ ${TARGET_P99_MS} ms at 32 connections needs well over
  32 / 0.025 s = 1,280 req/s.
other CPU: share of the machine's CPU used meanwhile by processes other than the server and the
  load generator (on PostgreSQL, the database's own). Above a few %, latency suffers.`;

interface DialectReport {
  table: string[];
  failures: string[];
}

/** Aborted on Ctrl-C: long steps (seeding) stop, then the cleanups below run. */
const interrupted = new AbortController();

/** What to undo if the run is interrupted: temporary databases and the server process. */
const cleanups = new Set<() => Promise<void>>();

/** Runs `body`, then `undo` however it ended; on Ctrl-C `undo` runs at once, and only once. */
async function withCleanup<T>(undo: () => Promise<void>, body: () => Promise<T>): Promise<T> {
  let undone: Promise<void> | undefined;
  const once = () => (undone ??= undo());
  cleanups.add(once);
  try {
    return await body();
  } finally {
    cleanups.delete(once);
    await once();
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: removing the benchmark databases…`);
    interrupted.abort(new Error(`interrupted by ${signal}`));
    void Promise.allSettled([...cleanups].map((undo) => undo())).then(() => process.exit(130));
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      dialect: { type: 'string', multiple: true },
      seconds: { type: 'string', default: '10' },
      connections: { type: 'string', default: '32' },
    },
  });
  const dialects = (values.dialect ?? DIALECTS) as Dialect[];
  const unknown = dialects.filter((d) => !DIALECTS.includes(d));
  if (unknown.length) {
    throw new Error(`unknown dialect ${unknown.join(', ')}: use sqlite or postgres`);
  }
  const load = { seconds: Number(values.seconds), connections: Number(values.connections) };
  if (!(load.seconds > 0) || !(load.connections > 0)) {
    throw new Error('--seconds and --connections take positive numbers');
  }

  console.log(
    `Document list benchmark: ${PATIENTS.toLocaleString('en')} patients × ` +
      `${DOCUMENTS_PER_PATIENT} documents, ${load.connections} connections, ` +
      `${load.seconds} s per scenario`,
  );
  console.log('Each list request also appends one audit event (document.list), by design.');
  const dataset = planDataset(DATASET_SEED);
  const passwordHash = await hashPassword(PASSWORD);

  const reports: [Dialect, DialectReport][] = [];
  for (const dialect of dialects) {
    try {
      reports.push([dialect, await benchDialect(dialect, dataset, passwordHash, load)]);
    } catch (err) {
      // One dialect failing (PostgreSQL not running, say) still leaves the other's results.
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      console.error(`\n${TITLES[dialect]} did not finish: ${message}`);
      const failure = `did not finish: ${err instanceof Error ? err.message : String(err)}`;
      reports.push([dialect, { table: [`${TITLES[dialect]}: ${failure}`], failures: [failure] }]);
    }
  }

  console.log('\n=== Summary ===');
  for (const [, report] of reports) console.log(['', ...report.table].join('\n'));
  console.log(LEGEND);
  const failures = reports.flatMap(([d, r]) => r.failures.map((f) => `${TITLES[d]}: ${f}`));
  if (failures.length) {
    console.log(`\nFAIL (${failures.length}):`);
    for (const f of failures) console.log(`  ${f}`);
    return 1;
  }
  console.log('\nOK: every request answered 200 and every plan is index-backed.');
  return 0;
}

async function benchDialect(
  dialect: Dialect,
  dataset: Dataset,
  passwordHash: string,
  load: Pick<LoadOptions, 'seconds' | 'connections'>,
): Promise<DialectReport> {
  console.log(`\n=== ${TITLES[dialect]} ===`);
  const database = await createTestDatabase(dialect);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'medaius-bench-'));
  const removeAll = async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await database.drop();
  };
  return withCleanup(removeAll, async () => {
    await seed(database, dataset, passwordHash);
    // The measured server's configuration, as `npm run server` would read it.
    const serverEnv = {
      DATABASE_URL: await databaseUrlOf(database),
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'silent',
      SIGNING_SECRET: randomBytes(32).toString('base64url'),
    };

    const config = loadConfig(serverEnv);
    if (config.database.dialect === 'sqlite') {
      console.log(
        `Server: ${config.database.readThreads ?? 0} SQLite reader thread(s) ` +
          '(SQLITE_READ_THREADS; default: cores − 1, at most 4)',
      );
    }
    console.log('\nQuery plans:\n');
    const plans = await checkPlans(database, config, dataset, PASSWORD);
    for (const line of plans.lines) console.log(line);
    for (const f of plans.failures) console.log(`FAIL ${f}`);

    const server = await startServerProcess(serverEnv);
    const results = await withCleanup(server.stop, async () => {
      const options: LoadOptions = {
        ...load,
        url: server.url,
        token: await login(server.url, dataset),
        serverCpuMs: server.cpuMs,
      };
      console.log(`Load: warming up for ${WARM_UP_SECONDS} s`);
      await runLoad(SCENARIOS[0]!, dataset, { ...options, seconds: WARM_UP_SECONDS }, 1);
      const results: LoadResult[] = [];
      for (const [i, scenario] of SCENARIOS.entries()) {
        const result = await runLoad(scenario, dataset, options, 100 + i);
        console.log(
          `  ${scenario.name}: ${result.requests} requests, p99 ${result.p99} ms` +
            (result.non2xx + result.errors ? `, FAILED: ${result.statusCodes}` : ''),
        );
        results.push(result);
      }
      return results;
    });

    const audited = await sql<{ n: number }>`
        select count(*) as n from audit_events where action = 'document.list'`.execute(database.db);
    console.log(
      `Audit: ${Number(audited.rows[0]!.n)} document.list events written during the run.`,
    );

    const table = formatTable(dialect, results, load);
    console.log('');
    for (const line of table) console.log(line);
    const failures = [
      ...plans.failures,
      ...results
        .filter((r) => r.non2xx + r.errors > 0)
        .map(
          (r) =>
            `${r.scenario}: ${r.non2xx} non-2xx, ${r.errors} errors (${r.timeouts} of them timeouts) ` +
            `(status codes: ${r.statusCodes})`,
        ),
    ];
    return { table, failures };
  });
}

async function seed(database: TestDatabase, dataset: Dataset, passwordHash: string) {
  const started = performance.now();
  const elapsed = () => ((performance.now() - started) / 1000).toFixed(1);
  let rowsWritten = '';
  let reported = 0;
  const onProgress = (patients: number) => {
    if (patients < reported + PATIENTS / 5 && patients < PATIENTS) return;
    reported = patients;
    const documents = (patients * DOCUMENTS_PER_PATIENT).toLocaleString('en');
    console.log(`  seeding: ${documents} documents (${elapsed()} s)`);
    if (patients === PATIENTS) rowsWritten = elapsed();
  };
  await seedDataset(database, dataset, passwordHash, onProgress, interrupted.signal);
  const total = elapsed();
  const indexing = (Number(total) - Number(rowsWritten)).toFixed(1);
  console.log(
    `Seeded ${(PATIENTS * DOCUMENTS_PER_PATIENT).toLocaleString('en')} documents, ` +
      `${PATIENTS.toLocaleString('en')} patients in ${total} s ` +
      `(rows ${rowsWritten} s, then index builds and statistics ${indexing} s)`,
  );
}

async function login(url: string, dataset: Dataset): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: dataset.users.clinician.email, password: PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`login answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

function formatTable(
  dialect: Dialect,
  results: LoadResult[],
  load: Pick<LoadOptions, 'seconds' | 'connections'>,
): string[] {
  const targeted = dialect === 'sqlite';
  const columns: [string, number, (r: LoadResult) => string][] = [
    ['scenario', -32, (r) => r.scenario],
    ['req/s', 8, (r) => r.requestsPerSecond.toFixed(0)],
    ['p50 ms', 8, (r) => String(r.p50)],
    ['p99 ms', 8, (r) => String(r.p99)],
    ['non-2xx', 9, (r) => String(r.non2xx)],
    ['errors', 8, (r) => String(r.errors)],
    ['rows/resp', 11, (r) => r.rowsPerResponse.toFixed(1)],
    ['server CPU ms/req', 19, (r) => r.serverCpuPerRequest.toFixed(2)],
    [
      'other CPU',
      11,
      (r) => (r.otherCpuShare === null ? '?' : `${(r.otherCpuShare * 100).toFixed(0)} %`),
    ],
    [
      `p99 ≤ ${TARGET_P99_MS} ms`,
      18,
      (r) => (r.p99 <= TARGET_P99_MS ? 'yes' : targeted ? 'MISSED TARGET' : 'no (report only)'),
    ],
  ];
  const row = (cell: (c: (typeof columns)[number]) => string) =>
    columns
      .map((c) => (c[1] < 0 ? cell(c).padEnd(-c[1]) : cell(c).padStart(c[1])))
      .join('')
      .trimEnd();
  return [
    `${TITLES[dialect]}: ${load.connections} connections, ${load.seconds} s per scenario`,
    row((c) => c[0]),
    ...results.map((r) => row((c) => c[2](r))),
  ];
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`\nFAIL: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  },
);
