// Who may see what: patient access (care-team grants when an organization turns ACL on) and
// category policy (per role, organization overrides on top of the defaults).
import type { CategoryPermissions, Me } from '../../shared/api/schemas.js';
import { CATEGORIES, defaultCategoryPermission, type Category } from '../../shared/domain.js';
import type { Database } from '../db/database.js';
import { ApiError, notFound } from '../errors.js';
import { PatientRepository, type PatientRow } from '../repositories/patients.js';
import type { Actor } from './auth.js';

export class AccessService {
  constructor(private readonly database: Database) {}

  async permissions(actor: Actor): Promise<CategoryPermissions> {
    const overrides = await new PatientRepository(this.database.db).policyOverrides(
      actor.organizationId,
      actor.role,
    );
    const result = {} as CategoryPermissions;
    for (const category of CATEGORIES) {
      const row = overrides.find((o) => o.category === category);
      result[category] = row
        ? { read: row.can_read === 1, write: row.can_write === 1 }
        : defaultCategoryPermission(actor.role, category);
    }
    return result;
  }

  /** The categories the actor may read, or undefined when that is every category. */
  async readableCategories(actor: Actor): Promise<Category[] | undefined> {
    return readableIn(await this.permissions(actor));
  }

  async assertCategory(actor: Actor, category: Category, mode: 'read' | 'write'): Promise<void> {
    assertPermitted(actor, await this.permissions(actor), category, mode);
  }

  /** True when the patient ACL decides what this actor sees. */
  aclApplies(actor: Actor): boolean {
    return actor.aclEnabled && actor.role !== 'admin';
  }

  /**
   * The patient, if it exists in the actor's organization (404 otherwise, the same answer as
   * for an id that does not exist) and the actor is on its care team when ACL is on (403).
   */
  async visiblePatient(actor: Actor, patientId: string): Promise<PatientRow> {
    const repo = new PatientRepository(this.database.db);
    const patient = await repo.findPatient(actor.organizationId, patientId);
    if (!patient) throw notFound('Patient');
    await this.assertOnCareTeam(repo, actor, patientId);
    return patient;
  }

  /** The check of visiblePatient for callers that need no more than the answer. */
  async assertPatientVisible(actor: Actor, patientId: string): Promise<void> {
    const repo = new PatientRepository(this.database.db);
    if (!(await repo.patientExists(actor.organizationId, patientId))) throw notFound('Patient');
    await this.assertOnCareTeam(repo, actor, patientId);
  }

  private async assertOnCareTeam(repo: PatientRepository, actor: Actor, patientId: string) {
    if (this.aclApplies(actor) && !(await repo.hasAccess(actor.userId, patientId))) {
      throw new ApiError(
        'patient_access_denied',
        "You are not on this patient's care team. Ask an administrator for access.",
      );
    }
  }

  async describe(actor: Actor): Promise<Me> {
    return {
      id: actor.userId,
      email: actor.email,
      name: actor.name,
      role: actor.role,
      organization: {
        id: actor.organizationId,
        name: actor.organizationName,
        aclEnabled: actor.aclEnabled,
      },
      permissions: await this.permissions(actor),
    };
  }
}

/** The categories `permissions` lets its holder read, or undefined when that is every one. */
export function readableIn(permissions: CategoryPermissions): Category[] | undefined {
  const readable = CATEGORIES.filter((c) => permissions[c].read);
  return readable.length === CATEGORIES.length ? undefined : readable;
}

/** Throws category_forbidden unless `permissions` (the actor's) allow `mode` on `category`. */
export function assertPermitted(
  actor: Actor,
  permissions: CategoryPermissions,
  category: Category,
  mode: 'read' | 'write',
): void {
  if (!permissions[category][mode]) {
    throw new ApiError(
      'category_forbidden',
      `Your role (${actor.role}) may not ${mode} documents in the category "${category}".`,
    );
  }
}
