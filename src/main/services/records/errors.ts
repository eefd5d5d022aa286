// Errors of the records channels as a person reads them: what could not be done and why, with
// the API's stable code kept (remoteErrorOf passes `code` on), so the renderer can still tell a
// stale annotation ('conflict') from a missing document ('not_found'). OfflineError passes
// through untouched: it already says the server cannot be reached, and maps to 'offline'.
import { ApiProblemError } from '../api/http.js';

export class RecordsError extends Error {
  override name = 'RecordsError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** `error` in words for the renderer; `action` completes "Could not …", e.g. "open the document". */
export function recordsErrorOf(error: unknown, action: string): unknown {
  if (!(error instanceof ApiProblemError)) return error;
  const detail = error.detail.replace(/\.?$/, '.');
  switch (error.code) {
    case 'not_found':
      return new RecordsError(
        error.code,
        `Could not ${action}: ${detail} It may have been deleted meanwhile; refresh and try again.`,
      );
    case 'validation_failed':
      return new RecordsError(
        error.code,
        `Could not ${action}: the server did not accept the request (${error.detail}).`,
      );
    case 'unauthenticated':
    case 'session_expired':
      return new RecordsError(
        error.code,
        `Could not ${action}: your sign-in has ended. Sign in again.`,
      );
    default:
      return new RecordsError(error.code, `Could not ${action}: ${detail}`);
  }
}
