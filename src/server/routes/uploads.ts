// The resumable upload protocol: create, sign parts, state, abort, complete; batch commit.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  BatchCommit,
  BatchResult,
  CompleteUpload,
  IdParams,
  SignedParts,
  SignPartsRequest,
  UploadCreate,
  UploadState,
} from '../../shared/api/schemas.js';
import { actorOf } from '../plugins/authenticate.js';
import type { Services } from '../services/index.js';

export const uploadRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  app.post(
    '/uploads',
    {
      schema: {
        tags: ['uploads'],
        body: UploadCreate,
        response: { 200: UploadState, 201: UploadState },
      },
    },
    async (request, reply) => {
      const { created, state } = await services.uploads.create(actorOf(request), request.body);
      return reply.status(created ? 201 : 200).send(state);
    },
  );

  app.get(
    '/uploads/:id',
    { schema: { tags: ['uploads'], params: IdParams, response: { 200: UploadState } } },
    (request) => services.uploads.get(actorOf(request), request.params.id),
  );

  app.post(
    '/uploads/:id/parts/sign',
    {
      schema: {
        tags: ['uploads'],
        params: IdParams,
        body: SignPartsRequest,
        response: { 200: SignedParts },
      },
    },
    (request) =>
      services.uploads.signParts(actorOf(request), request.params.id, request.body.partNumbers),
  );

  app.post(
    '/uploads/:id/complete',
    {
      schema: {
        tags: ['uploads'],
        params: IdParams,
        body: CompleteUpload,
        response: { 200: UploadState },
      },
    },
    (request) => services.uploads.complete(actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/uploads/:id',
    { schema: { tags: ['uploads'], params: IdParams, response: { 204: z.null() } } },
    async (request, reply) => {
      await services.uploads.abort(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/batches/:id/commit',
    {
      schema: {
        tags: ['uploads'],
        params: IdParams,
        body: BatchCommit.optional(),
        response: { 200: BatchResult, 422: BatchResult },
      },
    },
    async (request, reply) => {
      const result = await services.uploads.commitBatch(
        actorOf(request),
        request.params.id,
        request.body?.uploadIds,
      );
      return reply.status(result.status === 'committed' ? 200 : 422).send(result);
    },
  );
};
