// The audit log: every access and change is appended to its organization's chain. Each entry
// carries an HMAC over its content and the previous entry's hash, so editing, removing or
// reordering a row breaks the chain at that row, and only a holder of the server's signing
// secret could forge a consistent one.
import { createHmac } from 'node:crypto';
import { uuidv7 } from '../ids.js';
import type { Kysely } from 'kysely';
import type { AuditEvent, AuditQuery, AuditVerification, Page } from '../../shared/api/schemas.js';
import type { Database } from '../db/database.js';
import type { DB } from '../db/schema.js';
import { isoNow, type Clock } from '../clock.js';
import { AuditRepository, GENESIS_HASH, type AuditRow } from '../repositories/audit.js';
import { ApiError } from '../errors.js';
import { toPage } from '../cursor.js';

export const SYSTEM_CHAIN = 'system';

export interface AuditContext {
  organizationId: string | null;
  userId: string | null;
  clientAddress: string | null;
  userAgent: string | null;
}

export interface AuditEntry {
  action: string;
  entityType?: string;
  entityId?: string;
  patientId?: string | null;
  outcome?: 'success' | 'failure';
  details?: Record<string, unknown>;
}

/** At most this many entries share one transaction; 15 bound parameters each. */
const MAX_GROUP = 500;

interface Waiting {
  ctx: AuditContext;
  entry: AuditEntry;
  resolve(): void;
  reject(error: unknown): void;
}

export class AuditService {
  private readonly key: Buffer;
  /** Per chain, entries recorded on their own that wait for the next group commit. */
  private readonly waiting = new Map<string, Waiting[]>();

  constructor(
    private readonly database: Database,
    signingSecret: string,
    private readonly clock: Clock,
  ) {
    this.key = createHmac('sha256', signingSecret).update('medaius audit chain v1').digest();
  }

  /**
   * Appends one entry; pass the transaction of the change it records so both commit together.
   * Without one, the entry commits in a transaction of its own, shared with the other entries
   * of its chain that arrive in the same turn of the event loop or while the previous one is
   * being written (group commit: one head lock, one insert, one head update for them all).
   * Either way it resolves only once the entry is committed.
   */
  async record(ctx: AuditContext, entry: AuditEntry, trx?: Kysely<DB>): Promise<void> {
    if (trx) return this.append(trx, ctx.organizationId ?? SYSTEM_CHAIN, [{ ctx, entry }]);
    const chain = ctx.organizationId ?? SYSTEM_CHAIN;
    return new Promise((resolve, reject) => {
      const queue = this.waiting.get(chain);
      if (queue) {
        queue.push({ ctx, entry, resolve, reject });
      } else {
        this.waiting.set(chain, [{ ctx, entry, resolve, reject }]);
        // Start after the requests the event loop has already taken in this turn have had
        // their say: SQLite runs a whole commit without yielding to I/O, so a group started
        // at once would nearly always hold one entry, and each request pay a commit.
        setImmediate(() => void this.commitWaiting(chain));
      }
    });
  }

  /** Commits the chain's waiting entries, a group at a time, until none are left. */
  private async commitWaiting(chain: string): Promise<void> {
    const queue = this.waiting.get(chain)!;
    while (queue.length > 0) {
      const group = queue.splice(0, MAX_GROUP);
      try {
        await this.commit(chain, group);
        for (const w of group) w.resolve();
      } catch (error) {
        if (group.length === 1) {
          group[0]!.reject(error);
        } else {
          // One entry's failure must not fail the others: retry each on its own.
          for (const w of group) await this.commit(chain, [w]).then(w.resolve, w.reject);
        }
      }
    }
    this.waiting.delete(chain);
  }

  private commit(chain: string, group: Pick<Waiting, 'ctx' | 'entry'>[]): Promise<void> {
    return this.database.db.transaction().execute((t) => this.append(t, chain, group));
  }

  private async append(
    db: Kysely<DB>,
    chain: string,
    entries: Pick<Waiting, 'ctx' | 'entry'>[],
  ): Promise<void> {
    const repo = new AuditRepository(db, this.database.dialect);
    const head = await repo.lockHead(chain);
    let seq = Number(head.seq);
    let prevHash = head.hash;
    const rows: AuditRow[] = [];
    for (const { ctx, entry } of entries) {
      const row: Omit<AuditRow, 'hash'> = {
        id: uuidv7(),
        chain,
        seq: ++seq,
        organization_id: ctx.organizationId,
        user_id: ctx.userId,
        action: entry.action,
        entity_type: entry.entityType ?? null,
        entity_id: entry.entityId ?? null,
        patient_id: entry.patientId ?? null,
        outcome: entry.outcome ?? 'success',
        occurred_at: isoNow(this.clock),
        client_address: ctx.clientAddress,
        user_agent: ctx.userAgent,
        details: entry.details ? JSON.stringify(entry.details) : null,
        prev_hash: prevHash,
      };
      prevHash = this.hashOf(row);
      rows.push({ ...row, hash: prevHash });
    }
    await repo.append(rows);
  }

  private hashOf(row: Omit<AuditRow, 'hash'>): string {
    const content = JSON.stringify([
      row.id,
      row.chain,
      Number(row.seq),
      row.organization_id,
      row.user_id,
      row.action,
      row.entity_type,
      row.entity_id,
      row.patient_id,
      row.outcome,
      row.occurred_at,
      row.client_address,
      row.user_agent,
      row.details,
      row.prev_hash,
    ]);
    return createHmac('sha256', this.key).update(content).digest('hex');
  }

  async list(organizationId: string, query: AuditQuery): Promise<Page<AuditEvent>> {
    const rows = await new AuditRepository(this.database.db, this.database.dialect).list({
      organizationId,
      userId: query.userId,
      patientId: query.patientId,
      action: query.action,
      entityId: query.entityId,
      from: query.from,
      to: query.to,
      beforeSeq: query.cursor === undefined ? undefined : decodeSeqCursor(query.cursor),
      limit: query.limit + 1,
    });
    return toPage(rows, query.limit, toAuditEvent, (last) => String(last.seq));
  }

  /** Walks the chain from its start and names the first entry that does not hold. */
  async verify(organizationId: string): Promise<AuditVerification> {
    const repo = new AuditRepository(this.database.db, this.database.dialect);
    let expectedSeq = 1;
    let prevHash = GENESIS_HASH;
    let checked = 0;
    for await (const row of repo.chainInOrder(organizationId)) {
      const seq = Number(row.seq);
      const reason =
        seq !== expectedSeq
          ? `entries ${expectedSeq}…${seq - 1} are missing before this one`
          : row.prev_hash !== prevHash
            ? 'does not link to the entry before it'
            : this.hashOf(row) !== row.hash
              ? 'content was changed after it was written'
              : null;
      if (reason) return { ok: false, checked, firstBroken: { id: row.id, seq, reason } };
      checked++;
      expectedSeq = seq + 1;
      prevHash = row.hash;
    }
    const head = await repo.head(organizationId);
    if (head && (Number(head.seq) !== expectedSeq - 1 || head.hash !== prevHash)) {
      return {
        ok: false,
        checked,
        firstBroken: {
          id: organizationId,
          seq: expectedSeq,
          reason: `the log ends at entry ${expectedSeq - 1} but ${Number(head.seq)} were written`,
        },
      };
    }
    return { ok: true, checked, firstBroken: null };
  }
}

function decodeSeqCursor(cursor: string): number {
  const seq = Number(cursor);
  if (!Number.isSafeInteger(seq) || seq < 1) {
    throw new ApiError('validation_failed', 'cursor is not valid for this list');
  }
  return seq;
}

function toAuditEvent(row: AuditRow): AuditEvent {
  return {
    id: row.id,
    seq: Number(row.seq),
    userId: row.user_id,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    patientId: row.patient_id,
    outcome: row.outcome,
    occurredAt: row.occurred_at,
    clientAddress: row.client_address,
    userAgent: row.user_agent,
    details: row.details ? (JSON.parse(row.details) as Record<string, unknown>) : null,
  };
}
