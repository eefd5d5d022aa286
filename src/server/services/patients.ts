// Patient search and lookup, scoped by organization and, when ACL is on, by care team.
import type { Encounter, Page, Patient, PatientListQuery } from '../../shared/api/schemas.js';
import type { Database } from '../db/database.js';
import { decodeCursor, encodeCursor, toPage } from '../cursor.js';
import { PatientRepository, type EncounterRow, type PatientRow } from '../repositories/patients.js';
import type { AccessService } from './access.js';
import { auditContextOf, type Actor } from './auth.js';
import type { AuditService } from './audit.js';

export class PatientService {
  constructor(
    private readonly database: Database,
    private readonly access: AccessService,
    private readonly audit: AuditService,
  ) {}

  async search(actor: Actor, query: PatientListQuery): Promise<Page<Patient>> {
    const after = query.cursor ? decodeCursor(query.cursor, 2) : undefined;
    const rows = await new PatientRepository(this.database.db).searchPatients({
      organizationId: actor.organizationId,
      q: query.q || undefined,
      grantedTo: this.access.aclApplies(actor) ? actor.userId : undefined,
      after: after && { searchName: after[0]!, id: after[1]! },
      limit: query.limit + 1,
    });
    const page = toPage(rows, query.limit, toPatient, (last) =>
      encodeCursor([last.search_name, last.id]),
    );
    await this.audit.record(auditContextOf(actor), {
      action: 'patient.search',
      entityType: 'patient',
      details: { q: query.q ?? null, results: page.items.length },
    });
    return page;
  }

  async get(actor: Actor, patientId: string): Promise<Patient> {
    const patient = await this.access.visiblePatient(actor, patientId);
    await this.audit.record(auditContextOf(actor), {
      action: 'patient.view',
      entityType: 'patient',
      entityId: patientId,
      patientId,
    });
    return toPatient(patient);
  }

  async encounters(actor: Actor, patientId: string): Promise<Encounter[]> {
    await this.access.visiblePatient(actor, patientId);
    const rows = await new PatientRepository(this.database.db).listEncounters(
      actor.organizationId,
      patientId,
    );
    await this.audit.record(auditContextOf(actor), {
      action: 'encounter.list',
      entityType: 'encounter',
      patientId,
      details: { results: rows.length },
    });
    return rows.map(toEncounter);
  }
}

function toPatient(row: PatientRow): Patient {
  return {
    id: row.id,
    mrn: row.mrn,
    givenName: row.given_name,
    familyName: row.family_name,
    birthDate: row.birth_date,
    sex: row.sex,
  };
}

function toEncounter(row: EncounterRow): Encounter {
  return {
    id: row.id,
    patientId: row.patient_id,
    startedAt: row.started_at,
    type: row.type,
    reason: row.reason,
    status: row.status,
  };
}
