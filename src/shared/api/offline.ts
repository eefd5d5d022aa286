// Request and response of POST /api/v1/audit/offline-views: documents the desktop client showed
// from its offline cache, which the server did not see, sent to the audit log once the client is
// back online. Each view carries the id the client gave it, so a retried request records nothing twice.
import { z } from 'zod';

export const MAX_OFFLINE_VIEWS_PER_REQUEST = 1000;

export const OfflineViewReport = z.strictObject({
  /** the client's id of this view; a view already recorded under it is not recorded again */
  id: z.uuid(),
  documentId: z.uuid(),
  /** when the document was opened on the client, ISO-8601 UTC */
  viewedAt: z.iso.datetime(),
});
export type OfflineViewReport = z.infer<typeof OfflineViewReport>;

export const OfflineViewsRequest = z.strictObject({
  views: z.array(OfflineViewReport).min(1).max(MAX_OFFLINE_VIEWS_PER_REQUEST),
});
export type OfflineViewsRequest = z.infer<typeof OfflineViewsRequest>;

export const OfflineViewsResult = z.object({
  /** views added to the audit log by this request */
  recorded: z.number().int().nonnegative(),
  /** views recorded by an earlier request (a retry) */
  duplicates: z.number().int().nonnegative(),
  /** views of documents the user may not read (any more), not recorded; the client drops them */
  refused: z.array(z.object({ id: z.uuid(), documentId: z.uuid(), reason: z.string() })),
});
export type OfflineViewsResult = z.infer<typeof OfflineViewsResult>;
