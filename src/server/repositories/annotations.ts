// SQL for document annotations. Every query is scoped by organization; a soft-deleted
// annotation (deleted_at set) is invisible to all of them. Lists read by the
// (organization_id, document_id, page_number) index of migration 0001.
import type { Kysely, Selectable } from 'kysely';
import type { DB, DocumentAnnotationTable } from '../db/schema.js';

export type AnnotationRow = Selectable<DocumentAnnotationTable>;

/** An annotation with its author's display name. */
export type NamedAnnotationRow = AnnotationRow & { created_by_name: string };

export class AnnotationRepository {
  constructor(private readonly db: Kysely<DB>) {}

  insert(row: AnnotationRow): Promise<unknown> {
    return this.db.insertInto('document_annotations').values(row).execute();
  }

  listForDocument(organizationId: string, documentId: string): Promise<NamedAnnotationRow[]> {
    return this.named()
      .where('a.organization_id', '=', organizationId)
      .where('a.document_id', '=', documentId)
      .where('a.deleted_at', 'is', null)
      .orderBy('a.page_number')
      .orderBy('a.created_at')
      .orderBy('a.id')
      .execute();
  }

  find(organizationId: string, id: string): Promise<NamedAnnotationRow | undefined> {
    return this.named()
      .where('a.organization_id', '=', organizationId)
      .where('a.id', '=', id)
      .where('a.deleted_at', 'is', null)
      .executeTakeFirst();
  }

  /** The annotation with this id in any organization and state: ids are unique everywhere. */
  anyWithId(
    id: string,
  ): Promise<
    Pick<AnnotationRow, 'organization_id' | 'document_id' | 'created_by' | 'deleted_at'> | undefined
  > {
    return this.db
      .selectFrom('document_annotations')
      .select(['organization_id', 'document_id', 'created_by', 'deleted_at'])
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async countForDocument(organizationId: string, documentId: string): Promise<number> {
    const row = await this.db
      .selectFrom('document_annotations')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('organization_id', '=', organizationId)
      .where('document_id', '=', documentId)
      .where('deleted_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Changes the annotation only if it is still at `version`, raising the version by one.
   * Returns false when another change got there first (or it was deleted).
   */
  async updateAtVersion(
    organizationId: string,
    id: string,
    version: number,
    changes: { content?: string; page_number?: number; updated_at: string },
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('document_annotations')
      .set({ ...changes, version: version + 1 })
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .where('version', '=', version)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Soft-deletes the annotation if it is still at `version`; false otherwise. */
  async deleteAtVersion(
    organizationId: string,
    id: string,
    version: number,
    now: string,
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('document_annotations')
      .set({ deleted_at: now, updated_at: now, version: version + 1 })
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .where('version', '=', version)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  private named() {
    return this.db
      .selectFrom('document_annotations as a')
      .innerJoin('users as u', 'u.id', 'a.created_by')
      .selectAll('a')
      .select('u.name as created_by_name');
  }
}
