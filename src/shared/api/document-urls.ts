// Request and response schemas of POST /api/v1/documents/thumbnail-urls: signed thumbnail URLs
// for a page of the gallery in one request, rather than one request per thumbnail.
import { z } from 'zod';

export const MAX_THUMBNAIL_URLS = 200;

export const ThumbnailUrlsRequest = z.strictObject({
  ids: z.array(z.uuid()).min(1).max(MAX_THUMBNAIL_URLS),
  expiresInSeconds: z.number().int().min(60).max(3600).default(900),
});
export type ThumbnailUrlsRequest = z.infer<typeof ThumbnailUrlsRequest>;

export const ThumbnailUrls = z.object({
  /**
   * One entry per requested id: a signed URL, or null when there is no thumbnail to show (none
   * made yet, the type has none, or the document is not one the caller may see — the answer
   * does not say which, so ids of other organizations reveal nothing).
   */
  urls: z.record(z.string(), z.string().nullable()),
  expiresAt: z.iso.datetime(),
});
export type ThumbnailUrls = z.infer<typeof ThumbnailUrls>;
