// SQL for the audit log: appending to a chain under its head row, reading pages, and
// streaming a chain in order for verification. Nothing here updates or deletes an event.
import type { Kysely, Selectable } from 'kysely';
import type { Dialect } from '../db/database.js';
import { executeCached, type ShapeValue } from '../db/prepared.js';
import type { AuditEventTable, AuditHeadTable, DB } from '../db/schema.js';

export type AuditRow = Selectable<AuditEventTable>;
export type AuditHead = Selectable<AuditHeadTable>;

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditFilter {
  organizationId: string;
  userId?: string;
  patientId?: string;
  action?: string;
  entityId?: string;
  from?: string;
  to?: string;
  beforeSeq?: number;
  limit: number;
}

export class AuditRepository {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly dialect: Dialect,
  ) {}

  /**
   * The chain's head, locked until the surrounding transaction ends. SQLite needs no lock:
   * its single connection already serializes transactions.
   */
  async lockHead(chain: string): Promise<AuditHead> {
    const forUpdate = this.dialect === 'postgres';
    const select = async () => {
      const [row] = await executeCached(this.db, 'audit.lockHead', { chain, forUpdate }, (v) => {
        const q = this.db.selectFrom('audit_heads').selectAll().where('chain', '=', v.chain);
        return v.forUpdate ? q.forUpdate() : q;
      });
      return row;
    };
    const head = await select();
    if (head) return head;
    await this.db
      .insertInto('audit_heads')
      .values({ chain, seq: 0, hash: GENESIS_HASH })
      .onConflict((oc) => oc.column('chain').doNothing())
      .execute();
    const created = await select();
    if (!created) throw new Error(`audit chain ${chain} has no head`);
    return created;
  }

  /**
   * Appends consecutive entries of one chain (in seq order) and moves its head to the last.
   * Every request that lists or reads appends, so both statements are compiled once per shape
   * (number of rows, which columns are null).
   */
  async append(rows: readonly AuditRow[]): Promise<void> {
    const last = rows[rows.length - 1];
    if (!last) return;
    const columns = Object.keys(last) as (keyof AuditRow)[];
    const values: Record<string, ShapeValue> = {};
    rows.forEach((row, i) => {
      for (const column of columns) values[`${i}.${column}`] = row[column];
    });
    await executeCached(this.db, 'audit.insert', values, (v) =>
      this.db.insertInto('audit_events').values(
        rows.map((_, i) => {
          const row: Record<string, ShapeValue> = {};
          for (const column of columns) row[column] = v[`${i}.${column}`];
          return row as unknown as AuditRow;
        }),
      ),
    );
    await executeCached(
      this.db,
      'audit.moveHead',
      { seq: last.seq, hash: last.hash, chain: last.chain },
      (v) =>
        this.db
          .updateTable('audit_heads')
          .set({ seq: v.seq, hash: v.hash })
          .where('chain', '=', v.chain),
    );
  }

  list(f: AuditFilter): Promise<AuditRow[]> {
    let q = this.db.selectFrom('audit_events').selectAll().where('chain', '=', f.organizationId);
    if (f.userId) q = q.where('user_id', '=', f.userId);
    if (f.patientId) q = q.where('patient_id', '=', f.patientId);
    if (f.action) q = q.where('action', '=', f.action);
    if (f.entityId) q = q.where('entity_id', '=', f.entityId);
    if (f.from) q = q.where('occurred_at', '>=', f.from);
    if (f.to) q = q.where('occurred_at', '<=', f.to);
    if (f.beforeSeq !== undefined) q = q.where('seq', '<', f.beforeSeq);
    return q.orderBy('seq', 'desc').limit(f.limit).execute();
  }

  /** One chain in sequence order, a page at a time, so verification runs in bounded memory. */
  async *chainInOrder(chain: string, pageSize = 1000): AsyncGenerator<AuditRow> {
    let after = 0;
    for (;;) {
      const page = await this.db
        .selectFrom('audit_events')
        .selectAll()
        .where('chain', '=', chain)
        .where('seq', '>', after)
        .orderBy('seq')
        .limit(pageSize)
        .execute();
      yield* page;
      if (page.length < pageSize) return;
      after = page[page.length - 1]!.seq;
    }
  }

  head(chain: string): Promise<AuditHead | undefined> {
    return this.db
      .selectFrom('audit_heads')
      .selectAll()
      .where('chain', '=', chain)
      .executeTakeFirst();
  }
}
