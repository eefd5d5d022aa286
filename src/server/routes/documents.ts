// Document reference metadata: list, view, edit, soft delete and restore.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  DocumentListQuery,
  DocumentPatch,
  DocumentReference,
  IdParams,
  pageOf,
} from '../../shared/api/schemas.js';
import { actorOf } from '../plugins/authenticate.js';
import type { Services } from '../services/index.js';

export const documentRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  app.get(
    '/documents',
    {
      schema: {
        tags: ['documents'],
        querystring: DocumentListQuery,
        response: { 200: pageOf(DocumentReference) },
      },
    },
    (request) => services.documents.list(actorOf(request), request.query),
  );

  app.get(
    '/documents/:id',
    { schema: { tags: ['documents'], params: IdParams, response: { 200: DocumentReference } } },
    (request) => services.documents.get(actorOf(request), request.params.id),
  );

  app.patch(
    '/documents/:id',
    {
      schema: {
        tags: ['documents'],
        params: IdParams,
        body: DocumentPatch,
        response: { 200: DocumentReference },
      },
    },
    (request) => services.documents.update(actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/documents/:id',
    { schema: { tags: ['documents'], params: IdParams, response: { 204: z.null() } } },
    async (request, reply) => {
      await services.documents.remove(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/documents/:id/restore',
    { schema: { tags: ['documents'], params: IdParams, response: { 200: DocumentReference } } },
    (request) => services.documents.restore(actorOf(request), request.params.id),
  );
};
