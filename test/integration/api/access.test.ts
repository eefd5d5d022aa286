// Patient ACL (care-team grants) and category policy per role.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../../src/shared/domain.js';
import { UserRepository } from '../../../src/server/repositories/users.js';
import { PatientRepository } from '../../../src/server/repositories/patients.js';
import { DIALECTS } from '../../support/database.js';
import { createWorld, type World } from '../../support/world.js';

const categoriesOf = (res: { json(): { items: { category: string }[] } }) =>
  [...new Set(res.json().items.map((d) => d.category))].sort();

describe.each(DIALECTS)('patient ACL and category policy (%s)', (dialect) => {
  let w: World;
  let tokens: Record<'admin' | 'clinician' | 'front-desk' | 'billing', string>;
  beforeAll(async () => {
    w = await createWorld(dialect);
    tokens = {
      admin: await w.login(w.a.users.admin.email),
      clinician: await w.login(w.a.users.clinician.email),
      'front-desk': await w.login(w.a.users['front-desk'].email),
      billing: await w.login(w.a.users.billing.email),
    };
  });
  afterAll(() => w?.close());

  const setAcl = (enabled: boolean) =>
    new UserRepository(w.database.db).setAclEnabled(w.a.id, enabled);
  const patient = () => w.a.patients[0]!;

  it('with ACL off, every clinician sees every patient of the organization', async () => {
    await setAcl(false);
    const list = await w.call(tokens.clinician, 'GET', '/api/v1/patients');
    expect(list.json().items).toHaveLength(3);
    expect(
      (await w.call(tokens.clinician, 'GET', `/api/v1/patients/${patient()}`)).statusCode,
    ).toBe(200);
    const docs = await w.call(tokens.clinician, 'GET', `/api/v1/documents?patientId=${patient()}`);
    expect(docs.json().items).toHaveLength(CATEGORIES.length);
  });

  it('with ACL on, non-admins see only patients on their care team, and their documents', async () => {
    await setAcl(true);
    try {
      const list = await w.call(tokens.clinician, 'GET', '/api/v1/patients');
      expect(list.json().items).toEqual([]);
      const one = await w.call(tokens.clinician, 'GET', `/api/v1/patients/${patient()}`);
      expect(one.statusCode).toBe(403);
      expect(one.json().code).toBe('patient_access_denied');
      const doc = await w.call(tokens.clinician, 'GET', `/api/v1/documents/${w.a.documents.lab}`);
      expect(doc.statusCode).toBe(403);
      const all = await w.call(tokens.clinician, 'GET', '/api/v1/documents');
      expect(all.json().items).toEqual([]);

      // Administrators are not limited by the ACL.
      expect((await w.call(tokens.admin, 'GET', '/api/v1/patients')).json().items).toHaveLength(3);

      await new PatientRepository(w.database.db).grantAccess({
        organization_id: w.a.id,
        patient_id: patient(),
        user_id: w.a.users.clinician.id,
        granted_by: w.a.users.admin.id,
        granted_at: new Date().toISOString(),
      });
      const granted = await w.call(tokens.clinician, 'GET', '/api/v1/patients');
      expect(granted.json().items.map((p: { id: string }) => p.id)).toEqual([patient()]);
      expect(
        (await w.call(tokens.clinician, 'GET', `/api/v1/documents/${w.a.documents.lab}`))
          .statusCode,
      ).toBe(200);
      const docs = await w.call(tokens.clinician, 'GET', '/api/v1/documents');
      expect(docs.json().items).toHaveLength(CATEGORIES.length);
      const other = await w.call(tokens.clinician, 'GET', `/api/v1/patients/${w.a.patients[1]}`);
      expect(other.statusCode).toBe(403);
    } finally {
      await setAcl(false);
    }
  });

  it('billing reads insurance documents only', async () => {
    const me = await w.call(tokens.billing, 'GET', '/api/v1/me');
    for (const c of CATEGORIES) expect(me.json().permissions[c].read).toBe(c === 'insurance');

    const docs = await w.call(tokens.billing, 'GET', `/api/v1/documents?patientId=${patient()}`);
    expect(categoriesOf(docs)).toEqual(['insurance']);
    expect(
      (await w.call(tokens.billing, 'GET', `/api/v1/documents/${w.a.documents.insurance}`))
        .statusCode,
    ).toBe(200);
    const photo = await w.call(tokens.billing, 'GET', `/api/v1/documents/${w.a.documents.photo}`);
    expect(photo.statusCode).toBe(403);
    expect(photo.json()).toMatchObject({ code: 'category_forbidden' });
    expect(photo.json().detail).toContain('photo');
    const asked = await w.call(tokens.billing, 'GET', `/api/v1/documents?category=lab`);
    expect(asked.statusCode).toBe(403);
    const edit = await w.call(
      tokens.billing,
      'PATCH',
      `/api/v1/documents/${w.a.documents.insurance}`,
      {
        category: 'lab',
      },
    );
    expect(edit.statusCode).toBe(403);
  });

  it('front desk reads insurance, consent, referral and other; clinicians read all', async () => {
    const desk = await w.call(
      tokens['front-desk'],
      'GET',
      `/api/v1/documents?patientId=${patient()}`,
    );
    expect(categoriesOf(desk)).toEqual(['consent', 'insurance', 'other', 'referral']);
    const lab = await w.call(tokens['front-desk'], 'GET', `/api/v1/documents/${w.a.documents.lab}`);
    expect(lab.statusCode).toBe(403);
    const clin = await w.call(tokens.clinician, 'GET', `/api/v1/documents?patientId=${patient()}`);
    expect(categoriesOf(clin)).toEqual([...CATEGORIES].sort());
  });

  it("follows an organization's own policy over the defaults", async () => {
    await new PatientRepository(w.database.db).setPolicy({
      organization_id: w.a.id,
      role: 'billing',
      category: 'lab',
      can_read: 1,
      can_write: 0,
    });
    const docs = await w.call(tokens.billing, 'GET', `/api/v1/documents?patientId=${patient()}`);
    expect(categoriesOf(docs)).toEqual(['insurance', 'lab']);
    // The other organization keeps the defaults.
    const billingB = await w.login(w.b.users.billing.email);
    const docsB = await w.call(billingB, 'GET', `/api/v1/documents?patientId=${w.b.patients[0]}`);
    expect(categoriesOf(docsB)).toEqual(['insurance']);
  });
});
