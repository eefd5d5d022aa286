// Queries compiled once per shape (src/server/db/prepared.ts) answer exactly what the same
// Kysely query built afresh answers, and refuse a build function that uses a value to shape
// the query instead of binding it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeCached } from '../../../src/server/db/prepared.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../support/database.js';

describe.each(DIALECTS)('queries compiled once per shape (%s)', (dialect) => {
  let database: TestDatabase;
  const ORG = '00000000-0000-4000-8000-000000000001';
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    await database.db
      .insertInto('organizations')
      .values({ id: ORG, name: 'Cached Clinic', acl_enabled: 0, created_at: '2026-01-01' })
      .execute();
  });
  afterAll(() => database?.drop());

  const named = (v: { id: string; name?: string | undefined; names?: readonly string[] }) =>
    executeCached(database.db, `test.organizations.${dialect}`, v, (p) => {
      let q = database.db.selectFrom('organizations').select('name').where('id', '=', p.id);
      if (p.name !== undefined) q = q.where('name', '=', p.name);
      if (p.names) q = q.where('name', 'in', p.names);
      return q;
    });

  it('binds each run its own values, in every shape', async () => {
    expect(await named({ id: ORG })).toEqual([{ name: 'Cached Clinic' }]);
    expect(await named({ id: 'other' })).toEqual([]);
    expect(await named({ id: ORG, name: 'Cached Clinic' })).toEqual([{ name: 'Cached Clinic' }]);
    expect(await named({ id: ORG, name: 'Another' })).toEqual([]);
    expect(await named({ id: ORG, name: '' })).toEqual([]);
    expect(await named({ id: ORG, names: ['x', 'Cached Clinic'] })).toHaveLength(1);
    expect(await named({ id: ORG, names: ['x', 'y'] })).toEqual([]);
    expect(await named({ id: ORG, names: ['Cached Clinic'] })).toHaveLength(1);
  });

  it('refuses a value that decides the query instead of being bound', async () => {
    const run = (name: string) =>
      executeCached(database.db, `test.misuse.${dialect}`, { name }, (p) =>
        database.db
          .selectFrom('organizations')
          .select('id')
          .where('name', '=', p.name === 'Cached Clinic' ? 'Cached Clinic' : 'nobody'),
      );
    await expect(run('Cached Clinic')).rejects.toThrow(/name shaped the query/);
  });

  it('refuses a value transformed before binding', async () => {
    const run = (name: string) =>
      executeCached(database.db, `test.transformed.${dialect}`, { name }, (p) =>
        database.db.selectFrom('organizations').select('id').where('name', 'like', `${p.name}%`),
      );
    await expect(run('Cached')).rejects.toThrow(/transformed before binding/);
  });
});
