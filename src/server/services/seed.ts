// Demo data for a first run and for trying the product: two organizations, each with one user
// per role, patients and encounters. All names are invented; nothing here is PHI.
import { randomUUID } from 'node:crypto';
import type { Role } from '../../shared/domain.js';
import type { Database } from '../db/database.js';
import { UserRepository } from '../repositories/users.js';
import { PatientRepository } from '../repositories/patients.js';
import { hashPassword } from './auth.js';

export const DEMO_PASSWORD = 'medaius-demo';

const ORGS = [
  { name: 'Riverside Family Clinic', domain: 'riverside.test', mrnPrefix: 'RFC' },
  { name: 'Hillcrest Medical Group', domain: 'hillcrest.test', mrnPrefix: 'HMG' },
] as const;

const ROLE_USERS: { role: Role; local: string; name: string }[] = [
  { role: 'admin', local: 'admin', name: 'Alex Admin' },
  { role: 'clinician', local: 'clinician', name: 'Dr. Casey Clinician' },
  { role: 'front-desk', local: 'frontdesk', name: 'Frankie Frontdesk' },
  { role: 'billing', local: 'billing', name: 'Billie Billing' },
];

const PATIENTS = [
  ['Ada', 'Lovelace', '1985-12-10', 'female'],
  ['Grace', 'Hopper', '1976-12-09', 'female'],
  ['Alan', 'Turing', '1992-06-23', 'male'],
  ['Katherine', 'Johnson', '1968-08-26', 'female'],
  ['Edsger', 'Dijkstra', '1950-05-11', 'male'],
  ['Barbara', 'Liskov', '1999-11-07', 'female'],
  ['Donald', 'Knuth', '1958-01-10', 'male'],
  ['Margaret', 'Hamilton', '2004-08-17', 'female'],
] as const;

const ENCOUNTER_TYPES = ['office visit', 'follow-up', 'telehealth', 'procedure'];

export interface DemoCredential {
  organization: string;
  role: Role;
  email: string;
  password: string;
}

export async function seedDemo(database: Database, now = new Date()): Promise<DemoCredential[]> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const credentials: DemoCredential[] = [];
  await database.db.transaction().execute(async (trx) => {
    const users = new UserRepository(trx);
    const patients = new PatientRepository(trx);
    const createdAt = now.toISOString();
    for (const org of ORGS) {
      const organizationId = randomUUID();
      await users.insertOrganization({
        id: organizationId,
        name: org.name,
        acl_enabled: 0,
        created_at: createdAt,
      });
      for (const u of ROLE_USERS) {
        const email = `${u.local}@${org.domain}`;
        await users.insertUser({
          id: randomUUID(),
          organization_id: organizationId,
          email,
          name: u.name,
          role: u.role,
          password_hash: passwordHash,
          created_at: createdAt,
          disabled_at: null,
        });
        credentials.push({ organization: org.name, role: u.role, email, password: DEMO_PASSWORD });
      }
      for (const [i, [given, family, birthDate, sex]] of PATIENTS.entries()) {
        const patientId = randomUUID();
        await patients.insertPatient({
          id: patientId,
          organization_id: organizationId,
          mrn: `${org.mrnPrefix}-${String(i + 1).padStart(6, '0')}`,
          given_name: given,
          family_name: family,
          search_name: `${family} ${given}`.toLowerCase(),
          birth_date: birthDate,
          sex,
          created_at: createdAt,
        });
        for (let e = 0; e < 2; e++) {
          const startedAt = new Date(now.getTime() - (i * 2 + e + 1) * 7 * 86400_000);
          await patients.insertEncounter({
            id: randomUUID(),
            organization_id: organizationId,
            patient_id: patientId,
            started_at: startedAt.toISOString(),
            type: ENCOUNTER_TYPES[(i + e) % ENCOUNTER_TYPES.length]!,
            reason: null,
            status: 'finished',
          });
        }
      }
    }
  });
  return credentials;
}

export function formatCredentials(credentials: DemoCredential[]): string {
  return credentials
    .map(
      (c) =>
        `  ${c.organization.padEnd(26)} ${c.role.padEnd(11)} ${c.email.padEnd(26)} ${c.password}`,
    )
    .join('\n');
}
