// ApiError: the one way services and routes report a failure a client can act on. The error
// plugin turns it into application/problem+json with the stable code.
import { ERROR_CODES, type ErrorCode } from '../shared/errors.js';

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ApiError';
    this.status = ERROR_CODES[code];
  }
}

/** The one answer for ids that do not exist and ids of another organization alike. */
export function notFound(what: string): ApiError {
  return new ApiError('not_found', `${what} not found`);
}
