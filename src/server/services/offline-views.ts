// Views of documents the desktop client showed from its offline cache, which the server did not
// see: each goes into the audit log as `document.view_offline` under the signed-in user, with the
// time it happened (details.viewedAt) beside the time the server heard of it (occurred_at).
// Checked like a document view (organization, patient access, category); a view of a document
// the user may no longer read is refused, not recorded. The client's view id makes a retried
// request idempotent: the chain's head is locked while the already-recorded ids are read, so two
// retries racing each other still record a view once.
import type { OfflineViewReport, OfflineViewsResult } from '../../shared/api/offline.js';
import type { Database } from '../db/database.js';
import { ApiError } from '../errors.js';
import { AuditRepository } from '../repositories/audit.js';
import type { AuditService } from './audit.js';
import { auditContextOf, type Actor } from './auth.js';
import type { DocumentService } from './documents.js';

export const OFFLINE_VIEW_ACTION = 'document.view_offline';

/** Recorded offline views per document and user; more would be a client flooding the log. */
const MAX_LOOKUP = 100_000;

export class OfflineViewService {
  constructor(
    private readonly database: Database,
    private readonly documents: DocumentService,
    private readonly audit: AuditService,
  ) {}

  async record(actor: Actor, views: OfflineViewReport[]): Promise<OfflineViewsResult> {
    const refused: OfflineViewsResult['refused'] = [];
    const readable = new Map<string, { patientId: string } | string>();
    for (const documentId of new Set(views.map((v) => v.documentId))) {
      try {
        const row = await this.documents.readable(actor, documentId);
        readable.set(documentId, { patientId: row.patient_id });
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        readable.set(documentId, error.detail);
      }
    }
    const accepted: (OfflineViewReport & { patientId: string })[] = [];
    for (const view of views) {
      const access = readable.get(view.documentId)!;
      if (typeof access === 'string') refused.push({ ...view, reason: access });
      else accepted.push({ ...view, patientId: access.patientId });
    }
    let recorded = 0;
    let duplicates = 0;
    await this.database.db.transaction().execute(async (trx) => {
      const repo = new AuditRepository(trx, this.database.dialect);
      await repo.lockHead(actor.organizationId);
      const seen = new Set<string>();
      for (const documentId of new Set(accepted.map((v) => v.documentId))) {
        const rows = await repo.list({
          organizationId: actor.organizationId,
          userId: actor.userId,
          action: OFFLINE_VIEW_ACTION,
          entityId: documentId,
          limit: MAX_LOOKUP,
        });
        for (const row of rows) {
          const viewId = row.details
            ? (JSON.parse(row.details) as { viewId?: unknown }).viewId
            : null;
          if (typeof viewId === 'string') seen.add(viewId);
        }
      }
      for (const view of accepted) {
        if (seen.has(view.id)) {
          duplicates++;
          continue;
        }
        seen.add(view.id);
        await this.audit.record(
          auditContextOf(actor),
          {
            action: OFFLINE_VIEW_ACTION,
            entityType: 'document',
            entityId: view.documentId,
            patientId: view.patientId,
            details: { viewId: view.id, viewedAt: view.viewedAt, offline: true },
          },
          trx,
        );
        recorded++;
      }
    });
    return { recorded, duplicates, refused };
  }
}
