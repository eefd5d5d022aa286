// Documents: list, view, edit, soft delete and restore; files received whole (POST documents,
// documents/bulk) for server-side sources; signed URLs for a document's file and thumbnail.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  BatchResult,
  DirectUploadFields,
  DocumentListQuery,
  DocumentUrls,
  UrlRequest,
  DocumentPatch,
  DocumentReference,
  IdParams,
  pageOf,
} from '../../shared/api/schemas.js';
import { ApiError } from '../errors.js';
import { actorOf } from '../plugins/authenticate.js';
import { receiveForm } from '../plugins/multipart.js';
import type { Services } from '../services/index.js';

export interface IntakeOptions {
  tmpDir: string;
  /** the largest file accepted whole; larger ones use the resumable upload */
  maxFileBytes: number;
}

const MAX_BULK_FILES = 50;

export const documentRoutes: FastifyPluginAsyncZod<{
  services: Services;
  intake: IntakeOptions;
}> = async (app, { services, intake }) => {
  const ingest = async (request: FastifyRequest, maxFiles: number) => {
    const form = await receiveForm(request, { ...intake, maxFiles });
    try {
      const fields = DirectUploadFields.safeParse(form.fields);
      if (!fields.success) {
        throw new ApiError(
          'validation_failed',
          fields.error.issues.map((i) => `${i.path.join('.') || 'form'}: ${i.message}`).join('; '),
        );
      }
      return await services.uploads.ingestFiles(actorOf(request), fields.data, form.files);
    } finally {
      await form.cleanup();
    }
  };

  app.post(
    '/documents',
    {
      schema: {
        tags: ['documents'],
        consumes: ['multipart/form-data'],
        response: { 201: DocumentReference },
      },
    },
    async (request, reply) => {
      const { result, documents } = await ingest(request, 1);
      if (result.status === 'failed') {
        throw new ApiError(
          'file_rejected',
          result.files[0]?.reason ?? 'The file was not accepted.',
        );
      }
      return reply.status(201).send(documents[0]!);
    },
  );

  app.post(
    '/documents/bulk',
    {
      schema: {
        tags: ['documents'],
        consumes: ['multipart/form-data'],
        response: { 201: BatchResult, 422: BatchResult },
      },
    },
    async (request, reply) => {
      const { result } = await ingest(request, MAX_BULK_FILES);
      return reply.status(result.status === 'committed' ? 201 : 422).send(result);
    },
  );

  app.post(
    '/documents/:id/urls',
    {
      schema: {
        tags: ['documents'],
        params: IdParams,
        body: UrlRequest.optional(),
        response: { 200: DocumentUrls },
      },
    },
    (request) =>
      services.downloads.documentUrls(
        actorOf(request),
        request.params.id,
        request.body ?? UrlRequest.parse({}),
      ),
  );

  app.get(
    '/documents',
    {
      schema: {
        tags: ['documents'],
        querystring: DocumentListQuery,
        response: { 200: pageOf(DocumentReference) },
      },
    },
    // The page arrives as JSON bytes (the database writes the items) and is sent as it is;
    // the typed reply only models objects for the schema's serializer, hence the plain one.
    // Its memory goes back to the database thread that wrote it only once it has been sent
    // in full ('finish'); a response cut short leaves it to the collector.
    async (request, reply) => {
      const page = await services.documents.list(actorOf(request), request.query);
      reply.raw.once('finish', page.sent);
      return (reply as FastifyReply).type('application/json; charset=utf-8').send(page.json);
    },
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
