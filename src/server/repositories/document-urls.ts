// SQL for signing many documents' URLs at once: the documents of a list of ids that a caller
// may see, scoped by organization, readable categories and (when given) the patient ACL.
import type { Kysely } from 'kysely';
import type { Category } from '../../shared/domain.js';
import type { DB } from '../db/schema.js';

export interface ThumbnailRow {
  id: string;
  patient_id: string;
  thumbnail_key: string | null;
  file_name: string;
}

export interface VisibleDocumentsFilter {
  organizationId: string;
  ids: readonly string[];
  /** When set, only these categories (the ones the caller may read). */
  categories?: readonly Category[];
  /** Soft-deleted documents too (administrators). */
  includeDeleted: boolean;
  /** Limits the result to patients on this user's care team (patient ACL). */
  grantedTo?: string;
}

export class DocumentUrlRepository {
  constructor(private readonly db: Kysely<DB>) {}

  visibleThumbnails(f: VisibleDocumentsFilter): Promise<ThumbnailRow[]> {
    let q = this.db
      .selectFrom('document_references as d')
      .select(['d.id', 'd.patient_id', 'd.thumbnail_key', 'd.file_name'])
      .where('d.organization_id', '=', f.organizationId)
      .where('d.id', 'in', f.ids);
    if (f.categories) q = q.where('d.category', 'in', f.categories);
    if (!f.includeDeleted) q = q.where('d.deleted_at', 'is', null);
    if (f.grantedTo) {
      const userId = f.grantedTo;
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('patient_access as a')
            .select('a.patient_id')
            .whereRef('a.patient_id', '=', 'd.patient_id')
            .where('a.user_id', '=', userId),
        ),
      );
    }
    return q.execute();
  }
}
