// Writes the benchmark clinic into a migrated database, in a process of its own: see
// seedDataset in seed.ts. Started with MEDAIUS_BENCH_DATABASE_URL (a SQLite file or a
// postgres:// URL) and MEDAIUS_BENCH_SEED (the dataset's seed); prints {"patients": n} as it
// goes and exits 0 once the indexes and statistics are in place.
import { openDatabase } from '../../src/server/db/database.js';
import { planDataset } from './dataset.js';
import { writePostgres, writeSqlite } from './seed.js';

const url = process.env.MEDAIUS_BENCH_DATABASE_URL;
const seed = Number(process.env.MEDAIUS_BENCH_SEED);
if (!url || !Number.isInteger(seed)) {
  console.error('seed-process: set MEDAIUS_BENCH_DATABASE_URL and MEDAIUS_BENCH_SEED');
  process.exit(2);
}
const dataset = planDataset(seed);
const progress = (patients: number) => {
  process.stdout.write(JSON.stringify({ patients }) + '\n');
};
if (/^postgres(ql)?:\/\//.test(url)) {
  const database = openDatabase({ dialect: 'postgres', connectionString: url }, { poolSize: 1 });
  try {
    await writePostgres(database.db, dataset, progress);
  } finally {
    await database.destroy();
  }
} else {
  writeSqlite(url, dataset, progress);
}
