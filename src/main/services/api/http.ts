// The main process's one way to call the companion API: JSON in, schema-checked JSON out,
// the bearer token attached, and every failure turned into an error a user can act on.
// Plain Node (fetch is injected), so every service that uses it runs under Node in tests.
import type { z } from 'zod';
import type { ErrorCode, Problem } from '../../../shared/errors.js';

/** The API answered with a problem+json (or another error status). */
export class ApiProblemError extends Error {
  override name = 'ApiProblemError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'unexpected_response',
    readonly detail: string,
    readonly problem?: Problem,
  ) {
    super(detail);
  }
}

/** The API or the network could not be reached at all: worth waiting and retrying. */
export class OfflineError extends Error {
  override name = 'OfflineError';
  constructor(
    readonly baseUrl: string,
    readonly reason: string,
  ) {
    super(`The Medaius server at ${baseUrl} cannot be reached (${reason}).`);
  }
}

export interface ApiHttpOptions {
  baseUrl: () => string;
  /** The current bearer token, or null when signed out. */
  token: () => string | null;
  fetch: typeof globalThis.fetch;
  /** Called when the API says the token is no longer valid (expired or revoked). */
  onUnauthorized?: (error: ApiProblemError) => void;
  timeoutMs?: number;
}

export interface RequestOptions<T extends z.ZodType> {
  body?: unknown;
  /** validates the answer; omit for empty answers (204) */
  schema?: T;
  signal?: AbortSignal;
  /** accept these statuses as answers rather than errors (e.g. 422 for a failed batch) */
  acceptStatus?: number[];
}

export type ApiHttp = <T extends z.ZodType>(
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  path: string,
  options?: RequestOptions<T>,
) => Promise<z.infer<T>>;

const DEFAULT_TIMEOUT_MS = 30_000;

export function createApiHttp(o: ApiHttpOptions): ApiHttp {
  return async (method, path, options = {}) => {
    const baseUrl = o.baseUrl();
    const token = o.token();
    const signals = [AbortSignal.timeout(o.timeoutMs ?? DEFAULT_TIMEOUT_MS)];
    if (options.signal) signals.push(options.signal);
    let response: Response;
    try {
      response = await o.fetch(`${baseUrl}/api/v1${path}`, {
        method,
        headers: {
          accept: 'application/json, application/problem+json',
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.any(signals),
      });
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw new OfflineError(baseUrl, networkReason(err));
    }
    const text = await response.text();
    const ok = response.ok || options.acceptStatus?.includes(response.status);
    if (!ok) {
      const error = problemOf(response.status, text);
      if (response.status === 401) o.onUnauthorized?.(error);
      // A proxy or load balancer answering for a down API is being offline, not an API error.
      if ([502, 503, 504].includes(response.status) && !error.problem) {
        throw new OfflineError(baseUrl, `the server answered ${response.status}`);
      }
      throw error;
    }
    if (!options.schema) return undefined as never;
    const parsed = options.schema.safeParse(text ? JSON.parse(text) : undefined);
    if (!parsed.success) {
      throw new ApiProblemError(
        response.status,
        'unexpected_response',
        `The server's answer to ${method} ${path} was not what this version of the app expects. Check that app and server versions match.`,
      );
    }
    return parsed.data;
  };
}

function problemOf(status: number, text: string): ApiProblemError {
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (typeof body.code === 'string' && typeof body.detail === 'string') {
      return new ApiProblemError(status, body.code, body.detail, body as Problem);
    }
  } catch {
    // not JSON: fall through to a generic message with the status
  }
  return new ApiProblemError(status, 'unexpected_response', `The server answered HTTP ${status}.`);
}

export function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if ((err as Error).name === 'TimeoutError') return 'no answer in time';
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused — is the server running?';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the server name could not be resolved';
    case 'ECONNRESET':
      return 'the connection was reset';
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return 'the network is unreachable';
    default:
      return cause?.message ?? (err as Error).message;
  }
}
