// GET events?after= — the activity outbox, for other domains (AI analysis, notifications).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ActivityEvent, EventsQuery, pageOf } from '../../shared/api/schemas.js';
import { ApiError } from '../errors.js';
import { actorOf } from '../plugins/authenticate.js';
import type { Services } from '../services/index.js';

export const eventRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  app.get(
    '/events',
    {
      schema: {
        tags: ['events'],
        querystring: EventsQuery,
        response: { 200: pageOf(ActivityEvent) },
      },
    },
    (request) => {
      const actor = actorOf(request);
      // Events name patients and documents across the organization, past any ACL.
      if (actor.role !== 'admin') {
        throw new ApiError(
          'admin_only',
          'Only administrators and service accounts may read events.',
        );
      }
      return services.activity.list(actor.organizationId, request.query.after, request.query.limit);
    },
  );
};
