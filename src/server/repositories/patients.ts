// SQL for patients, their encounters, care-team grants and category policies.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Category, Role } from '../../shared/domain.js';
import { executeCached } from '../db/prepared.js';
import type {
  CategoryPolicyTable,
  DB,
  EncounterTable,
  PatientAccessTable,
  PatientTable,
} from '../db/schema.js';

export type PatientRow = Selectable<PatientTable>;
export type EncounterRow = Selectable<EncounterTable>;

/** Escapes LIKE wildcards so a search for "50%" matches the text, not a pattern. */
export function likePrefix(text: string): string {
  return text.replace(/[\\%_]/g, (c) => '\\' + c) + '%';
}

export class PatientRepository {
  constructor(private readonly db: Kysely<DB>) {}

  insertPatient(row: PatientRow): Promise<unknown> {
    return this.db.insertInto('patients').values(row).execute();
  }

  findPatient(organizationId: string, id: string): Promise<PatientRow | undefined> {
    return this.db
      .selectFrom('patients')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** Whether the patient exists in the organization: the list endpoint's check, compiled once. */
  async patientExists(organizationId: string, id: string): Promise<boolean> {
    const rows = await executeCached(this.db, 'patients.exists', { organizationId, id }, (v) =>
      this.db
        .selectFrom('patients')
        .select('id')
        .where('organization_id', '=', v.organizationId)
        .where('id', '=', v.id),
    );
    return rows.length > 0;
  }

  /**
   * Patients whose MRN equals the query or whose name starts with it (family or given name
   * first), ordered by name. `grantedTo` limits the result to one user's care-team patients.
   */
  searchPatients(args: {
    organizationId: string;
    q?: string;
    grantedTo?: string;
    after?: { searchName: string; id: string };
    limit: number;
  }): Promise<PatientRow[]> {
    let query = this.db
      .selectFrom('patients as p')
      .selectAll('p')
      .where('p.organization_id', '=', args.organizationId);
    if (args.q) {
      const q = args.q.toLowerCase();
      const pattern = likePrefix(q);
      query = query.where((eb) =>
        eb.or([
          eb('p.mrn', '=', args.q!),
          sql<boolean>`p.search_name like ${pattern} escape '\\'`,
          sql<boolean>`lower(p.given_name) || ' ' || lower(p.family_name) like ${pattern} escape '\\'`,
        ]),
      );
    }
    if (args.grantedTo) {
      const userId = args.grantedTo;
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom('patient_access as a')
            .select('a.patient_id')
            .whereRef('a.patient_id', '=', 'p.id')
            .where('a.user_id', '=', userId),
        ),
      );
    }
    if (args.after) {
      const { searchName, id } = args.after;
      query = query.where((eb) =>
        eb(eb.refTuple('p.search_name', 'p.id'), '>', eb.tuple(searchName, id)),
      );
    }
    return query.orderBy('p.search_name').orderBy('p.id').limit(args.limit).execute();
  }

  insertEncounter(row: EncounterRow): Promise<unknown> {
    return this.db.insertInto('encounters').values(row).execute();
  }

  findEncounter(organizationId: string, id: string): Promise<EncounterRow | undefined> {
    return this.db
      .selectFrom('encounters')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  listEncounters(organizationId: string, patientId: string): Promise<EncounterRow[]> {
    return this.db
      .selectFrom('encounters')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('patient_id', '=', patientId)
      .orderBy('started_at', 'desc')
      .execute();
  }

  async hasAccess(userId: string, patientId: string): Promise<boolean> {
    const rows = await executeCached(this.db, 'patients.hasAccess', { userId, patientId }, (v) =>
      this.db
        .selectFrom('patient_access')
        .select('patient_id')
        .where('user_id', '=', v.userId)
        .where('patient_id', '=', v.patientId),
    );
    return rows.length > 0;
  }

  grantAccess(row: Selectable<PatientAccessTable>): Promise<unknown> {
    return this.db
      .insertInto('patient_access')
      .values(row)
      .onConflict((oc) => oc.columns(['user_id', 'patient_id']).doNothing())
      .execute();
  }

  policyOverrides(organizationId: string, role: Role): Promise<Selectable<CategoryPolicyTable>[]> {
    return executeCached(this.db, 'patients.policyOverrides', { organizationId, role }, (v) =>
      this.db
        .selectFrom('category_policies')
        .selectAll()
        .where('organization_id', '=', v.organizationId)
        .where('role', '=', v.role),
    );
  }

  setPolicy(row: {
    organization_id: string;
    role: Role;
    category: Category;
    can_read: number;
    can_write: number;
  }): Promise<unknown> {
    return this.db
      .insertInto('category_policies')
      .values(row)
      .onConflict((oc) =>
        oc
          .columns(['organization_id', 'role', 'category'])
          .doUpdateSet({ can_read: row.can_read, can_write: row.can_write }),
      )
      .execute();
  }
}
