// SQL for the activity-event outbox. Sequence numbers come from a head row per organization,
// locked by the writing transaction, so they become visible in order.
import type { Kysely, Selectable } from 'kysely';
import type { Dialect } from '../db/database.js';
import type { ActivityEventTable, DB } from '../db/schema.js';

export type ActivityEventRow = Selectable<ActivityEventTable>;

export class EventRepository {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  async nextSeq(organizationId: string): Promise<number> {
    await this.db
      .insertInto('activity_heads')
      .values({ organization_id: organizationId, seq: 0 })
      .onConflict((oc) => oc.column('organization_id').doNothing())
      .execute();
    const select = this.db
      .selectFrom('activity_heads')
      .select('seq')
      .where('organization_id', '=', organizationId);
    const head = await (
      this.dialect === 'postgres' ? select.forUpdate() : select
    ).executeTakeFirstOrThrow();
    const seq = Number(head.seq) + 1;
    await this.db
      .updateTable('activity_heads')
      .set({ seq })
      .where('organization_id', '=', organizationId)
      .execute();
    return seq;
  }

  insert(row: ActivityEventRow): Promise<unknown> {
    return this.db.insertInto('activity_events').values(row).execute();
  }

  listAfter(organizationId: string, after: number, limit: number): Promise<ActivityEventRow[]> {
    return this.db
      .selectFrom('activity_events')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(limit)
      .execute();
  }
}
