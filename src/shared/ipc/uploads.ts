// What the renderer learns about the upload queue: each item's progress and the queue's
// summary. Mirrors src/main/services/upload/types.ts, which main checks against these schemas.
import { z } from 'zod';

export const UploadItemState = z.enum([
  'queued',
  'uploading',
  'paused',
  'waiting-for-network',
  'waiting-for-sign-in',
  'committing',
  'failed',
  'done',
]);

export const UploadItem = z.strictObject({
  id: z.string(),
  fileName: z.string(),
  batchId: z.string().nullable(),
  state: UploadItemState,
  bytesSent: z.number(),
  size: z.number(),
  rate: z.number(),
  etaSeconds: z.number().nullable(),
  documentId: z.string().nullable(),
  error: z.strictObject({ code: z.string(), message: z.string() }).optional(),
});
export type UploadItem = z.infer<typeof UploadItem>;

export const UploadSummary = z.strictObject({
  pending: z.number().int(),
  online: z.boolean(),
  signedIn: z.boolean(),
});

export const UploadQueueState = z.strictObject({
  items: z.array(UploadItem),
  summary: UploadSummary,
});
export type UploadQueueState = z.infer<typeof UploadQueueState>;

/** Acts on one item, or on every item when no id is given. */
export const UploadTarget = z.strictObject({ id: z.string().max(100).optional() });

export const UploadEvent = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('item'), item: UploadItem }),
  z.strictObject({ type: z.literal('removed'), id: z.string() }),
  z.strictObject({ type: z.literal('summary'), summary: UploadSummary }),
]);
export type UploadEvent = z.infer<typeof UploadEvent>;
