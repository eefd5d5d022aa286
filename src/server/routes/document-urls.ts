// POST documents/thumbnail-urls: signed thumbnail URLs for up to 200 documents at once, so a
// gallery of thousands of documents asks once per visible page rather than once per tile.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ThumbnailUrls, ThumbnailUrlsRequest } from '../../shared/api/document-urls.js';
import { actorOf } from '../plugins/authenticate.js';
import type { Services } from '../services/index.js';

export const documentUrlRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  app.post(
    '/documents/thumbnail-urls',
    {
      schema: {
        tags: ['documents'],
        description:
          'Signed thumbnail URLs for up to 200 documents. An id answers null when there is no thumbnail or the caller may not see the document. Audited once per request.',
        body: ThumbnailUrlsRequest,
        response: { 200: ThumbnailUrls },
      },
    },
    (request) => services.documentUrls.thumbnailUrls(actorOf(request), request.body),
  );
};
