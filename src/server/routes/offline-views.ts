// POST audit/offline-views: the desktop client reports documents it showed from its offline
// cache while the server could not be reached. Any signed-in user, for their own views; each
// view is checked like a document view (services/offline-views.ts).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { OfflineViewsRequest, OfflineViewsResult } from '../../shared/api/offline.js';
import type { Database } from '../db/database.js';
import { actorOf } from '../plugins/authenticate.js';
import type { Services } from '../services/index.js';
import { OfflineViewService } from '../services/offline-views.js';

export const offlineViewRoutes: FastifyPluginAsyncZod<{
  services: Services;
  database: Database;
}> = async (app, { services, database }) => {
  const offlineViews = new OfflineViewService(database, services.documents, services.audit);
  app.post(
    '/audit/offline-views',
    {
      schema: {
        tags: ['audit'],
        description:
          "Records documents the signed-in user viewed from the desktop client's offline cache, with the time of each view. Idempotent per view id; views of documents the user may not read are refused and listed.",
        body: OfflineViewsRequest,
        response: { 200: OfflineViewsResult },
      },
    },
    async (request) => offlineViews.record(actorOf(request), request.body.views),
  );
};
