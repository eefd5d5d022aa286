// Activity events: an outbox of domain events (document.created, document.updated, …) written
// in the same transaction as the change, and read in order by other domains with `after=`.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ActivityEvent, Page } from '../../shared/api/schemas.js';
import type { Database } from '../db/database.js';
import type { DB } from '../db/schema.js';
import type { Clock } from '../clock.js';
import { EventRepository } from '../repositories/events.js';
import { toPage } from '../cursor.js';

export interface NewActivity {
  organizationId: string;
  type: string;
  entityType: string;
  entityId: string;
  patientId: string | null;
  actorId: string | null;
  payload: Record<string, unknown>;
}

export class ActivityService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  /** Must run inside the transaction of the change it announces. */
  async emit(trx: Kysely<DB>, event: NewActivity): Promise<void> {
    const repo = new EventRepository(trx, this.database.dialect);
    const seq = await repo.nextSeq(event.organizationId);
    await repo.insert({
      organization_id: event.organizationId,
      seq,
      id: randomUUID(),
      type: event.type,
      entity_type: event.entityType,
      entity_id: event.entityId,
      patient_id: event.patientId,
      actor_id: event.actorId,
      payload: JSON.stringify(event.payload),
      occurred_at: this.clock().toISOString(),
    });
  }

  async list(organizationId: string, after: number, limit: number): Promise<Page<ActivityEvent>> {
    const rows = await new EventRepository(this.database.db, this.database.dialect).listAfter(
      organizationId,
      after,
      limit + 1,
    );
    return toPage(
      rows,
      limit,
      (r) => ({
        seq: Number(r.seq),
        id: r.id,
        type: r.type,
        entityType: r.entity_type,
        entityId: r.entity_id,
        patientId: r.patient_id,
        actorId: r.actor_id,
        payload: JSON.parse(r.payload) as Record<string, unknown>,
        occurredAt: r.occurred_at,
      }),
      (last) => String(last.seq),
    );
  }
}
