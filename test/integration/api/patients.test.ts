import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../support/database.js';
import { createWorld, type World } from '../../support/world.js';

describe.each(DIALECTS)('patient search (%s)', (dialect) => {
  let w: World;
  let token: string;
  beforeAll(async () => {
    w = await createWorld(dialect);
    token = await w.login(w.a.users['front-desk'].email);
  });
  afterAll(() => w?.close());

  const names = async (q: string) => {
    const res = await w.call(token, 'GET', `/api/v1/patients?q=${encodeURIComponent(q)}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().items.map((p: { familyName: string }) => p.familyName);
  };

  it('finds patients by family name, given name, full name or MRN, case-insensitively', async () => {
    expect(await names('TUR')).toEqual(['Turing']);
    expect(await names('grace')).toEqual(['Hopper']);
    expect(await names('lovelace ada')).toEqual(['Lovelace']);
    expect(await names('ALPHA-3')).toEqual(['Hopper']);
    expect(await names('%')).toEqual([]);
    expect(await names('')).toEqual(['Hopper', 'Lovelace', 'Turing']);
  });

  it('pages in name order', async () => {
    const first = (await w.call(token, 'GET', '/api/v1/patients?limit=2')).json();
    expect(first.items.map((p: { familyName: string }) => p.familyName)).toEqual([
      'Hopper',
      'Lovelace',
    ]);
    const second = (
      await w.call(token, 'GET', `/api/v1/patients?limit=2&cursor=${first.nextCursor}`)
    ).json();
    expect(second.items.map((p: { familyName: string }) => p.familyName)).toEqual(['Turing']);
    expect(second.nextCursor).toBeNull();
  });

  it("lists a patient's encounters, newest first", async () => {
    const patientId = w.a.patients[0]!;
    const res = await w.call(token, 'GET', `/api/v1/patients/${patientId}/encounters`);
    const items = res.json().items;
    expect(items.map((e: { id: string }) => e.id)).toEqual(w.a.encounters[patientId]);
  });
});
