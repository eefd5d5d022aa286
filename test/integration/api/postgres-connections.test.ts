// PostgreSQL ending the API's idle connections (a restart, a failover, an administrator) must
// not take the API down: the pool drops them and the next request gets a fresh one.
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_PG_URL } from '../../support/database.js';
import { createWorld, type World } from '../../support/world.js';

let w: World;
let token: string;
beforeAll(async () => {
  w = await createWorld('postgres');
  token = await w.login(w.a.users.clinician.email);
});
afterAll(() => w?.close());

it('keeps answering after the database server ends its idle connections', async () => {
  expect((await w.call(token, 'GET', '/api/v1/patients')).statusCode).toBe(200);

  const { rows: current } = await sql<{ name: string }>`select current_database() as name`.execute(
    w.database.db,
  );
  const admin = new pg.Client({ connectionString: ADMIN_PG_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ ended: boolean }>(
      `select pg_terminate_backend(pid) as ended from pg_stat_activity
        where datname = $1 and pid <> pg_backend_pid() and state = 'idle'`,
      [current[0]!.name],
    );
    expect(rows.some((r) => r.ended)).toBe(true);
  } finally {
    await admin.end();
  }
  // The pool hears of the ended connections before the next request.
  await new Promise((resolve) => setTimeout(resolve, 200));

  const again = await w.call(token, 'GET', '/api/v1/patients');
  expect(again.statusCode, again.body).toBe(200);
});
