// Turns every failure into application/problem+json (RFC 9457) with a stable `code`:
// ApiError from services, schema validation errors, Fastify's own client errors and 404s.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ERROR_CODES, type ErrorCode, type Problem } from '../../shared/errors.js';
import { ApiError } from '../errors.js';

const TITLES: Record<ErrorCode, string> = {
  validation_failed: 'The request is not valid',
  unauthenticated: 'Sign-in required',
  invalid_credentials: 'Sign-in failed',
  session_expired: 'Session expired',
  forbidden: 'Not allowed',
  patient_access_denied: 'No access to this patient',
  category_forbidden: 'Not allowed for this category',
  admin_only: 'Administrators only',
  not_found: 'Not found',
  conflict: 'Conflict',
  upload_expired: 'Upload expired',
  file_rejected: 'File not accepted',
  payload_too_large: 'Request too large',
  unsupported_media_type: 'Unsupported media type',
  login_throttled: 'Too many attempts',
  internal_error: 'Internal error',
  service_unavailable: 'Service unavailable',
};

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  code: ErrorCode,
  detail: string,
  extra: Partial<Problem> = {},
): FastifyReply {
  const status = ERROR_CODES[code];
  const body: Problem = {
    type: `urn:medaius:problem:${code}`,
    title: TITLES[code],
    status,
    detail,
    code,
    instance: request.url.split('?')[0],
    ...extra,
  };
  return reply.status(status).type('application/problem+json').send(body);
}

function clientErrorCode(status: number): ErrorCode {
  switch (status) {
    case 404:
      return 'not_found';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    default:
      return 'validation_failed';
  }
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError) {
      reply.headers(error.headers);
      return sendProblem(request, reply, error.code, error.detail);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const errors = error.validation.map((v) => ({
        path: [error.validationContext, v.instancePath.replace(/^\//, '').replaceAll('/', '.')]
          .filter(Boolean)
          .join('.'),
        message: v.message ?? 'is not valid',
      }));
      const detail = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
      return sendProblem(request, reply, 'validation_failed', detail, { errors });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendProblem(request, reply, clientErrorCode(status), error.message);
    }
    request.log.error({ err: error }, 'request failed');
    return sendProblem(
      request,
      reply,
      'internal_error',
      'The server could not complete the request. It has been logged; try again.',
    );
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      request,
      reply,
      'not_found',
      `No route ${request.method} ${request.url.split('?')[0]}`,
    ),
  );
}
