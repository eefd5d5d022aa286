// GET/POST documents/:id/annotations, PATCH/DELETE annotations/:id (version-checked). The rules
// are the service's (services/annotations.ts); a stale version answers 409 problem+json with
// the annotation as it is now in `current`.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  Annotation,
  AnnotationConflict,
  AnnotationCreate,
  AnnotationDeleteQuery,
  AnnotationList,
  AnnotationPatch,
} from '../../shared/api/annotations.js';
import { IdParams } from '../../shared/api/schemas.js';
import type { Problem } from '../../shared/errors.js';
import { actorOf } from '../plugins/authenticate.js';
import { sendProblem } from '../plugins/problems.js';
import { AnnotationConflictError } from '../services/annotations.js';
import type { Services } from '../services/index.js';

export const annotationRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  app.get(
    '/documents/:id/annotations',
    {
      schema: {
        tags: ['annotations'],
        description: "The document's annotations, by page. Needs read access to the document.",
        params: IdParams,
        response: { 200: AnnotationList },
      },
    },
    async (request) => ({
      items: await services.annotations.list(actorOf(request), request.params.id),
    }),
  );

  app.post(
    '/documents/:id/annotations',
    {
      schema: {
        tags: ['annotations'],
        description:
          'Adds an annotation. Needs read access to the document and write access to its category; the document must not be deleted.',
        params: IdParams,
        body: AnnotationCreate,
        response: { 201: Annotation },
      },
    },
    async (request, reply) => {
      const annotation = await services.annotations.create(
        actorOf(request),
        request.params.id,
        request.body,
      );
      return reply.status(201).send(annotation);
    },
  );

  app.patch(
    '/annotations/:id',
    {
      schema: {
        tags: ['annotations'],
        description:
          'Changes content or page of an annotation at the version the client last saw. Only its author or an administrator may; a stale version answers 409 with the current annotation.',
        params: IdParams,
        body: AnnotationPatch,
        response: { 200: Annotation, 409: AnnotationConflict },
      },
    },
    async (request, reply) => {
      try {
        return await services.annotations.update(actorOf(request), request.params.id, request.body);
      } catch (error) {
        sendConflict(request, reply, error);
        return reply;
      }
    },
  );

  app.delete(
    '/annotations/:id',
    {
      schema: {
        tags: ['annotations'],
        description:
          'Deletes (soft) an annotation at the version the client last saw (`?version=`). Only its author or an administrator may; a stale version answers 409 with the current annotation.',
        params: IdParams,
        querystring: AnnotationDeleteQuery,
        response: { 204: z.null(), 409: AnnotationConflict },
      },
    },
    async (request, reply) => {
      try {
        await services.annotations.remove(
          actorOf(request),
          request.params.id,
          request.query.version,
        );
        return reply.status(204).send(null);
      } catch (error) {
        sendConflict(request, reply, error);
        return reply;
      }
    },
  );
};

/** Answers a stale version with 409 and the annotation as it is now; rethrows anything else. */
function sendConflict(request: FastifyRequest, reply: FastifyReply, error: unknown): void {
  if (!(error instanceof AnnotationConflictError)) throw error;
  const extension: Partial<Problem> & { current: Annotation } = { current: error.current };
  sendProblem(request, reply, 'conflict', error.detail, extension);
}
