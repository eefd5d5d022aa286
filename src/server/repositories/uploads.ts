// SQL for uploads and batch commits. Every lookup is scoped by organization.
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { BatchTable, DB, UploadStatus, UploadTable } from '../db/schema.js';

export type UploadRow = Selectable<UploadTable>;
export type BatchRow = Selectable<BatchTable>;

export class UploadRepository {
  constructor(private readonly db: Kysely<DB>) {}

  insert(row: UploadRow): Promise<unknown> {
    return this.db.insertInto('uploads').values(row).execute();
  }

  /** By id alone: upload ids are global, so a reused id is found whoever owns it. */
  findAnyOrganization(id: string): Promise<UploadRow | undefined> {
    return this.db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirst();
  }

  find(organizationId: string, id: string): Promise<UploadRow | undefined> {
    return this.db
      .selectFrom('uploads')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  listBatch(organizationId: string, batchId: string): Promise<UploadRow[]> {
    return this.db
      .selectFrom('uploads')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('batch_id', '=', batchId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  update(id: string, changes: Updateable<UploadTable>): Promise<unknown> {
    return this.db.updateTable('uploads').set(changes).where('id', '=', id).execute();
  }

  /** Moves an upload from one status to another only if it is still in `from`; true if it moved. */
  async transition(
    id: string,
    from: UploadStatus[],
    changes: Updateable<UploadTable> & { status: UploadStatus },
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('uploads')
      .set(changes)
      .where('id', '=', id)
      .where('status', 'in', from)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  expiredBefore(now: string, limit: number): Promise<UploadRow[]> {
    return this.db
      .selectFrom('uploads')
      .selectAll()
      .where('status', 'in', ['pending', 'verifying'])
      .where('expires_at', '<', now)
      .limit(limit)
      .execute();
  }

  findBatch(organizationId: string, id: string): Promise<BatchRow | undefined> {
    return this.db
      .selectFrom('batches')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  insertBatch(row: BatchRow): Promise<unknown> {
    return this.db.insertInto('batches').values(row).execute();
  }
}
