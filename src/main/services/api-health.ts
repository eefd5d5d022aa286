// Checks whether the companion API answers its health endpoint, for the connection indicator in
// the app shell. Runs in main, which can reach the API without CORS and will hold its token;
// fetch is passed in so the check runs under plain Node in tests.
import { Health } from '../../shared/api/schemas.js';
import type { ApiHealth } from '../../shared/ipc/contract.js';

export const DEFAULT_HEALTH_TIMEOUT_MS = 5000;

export interface ApiHealthOptions {
  /** Base URL of the companion API, without a trailing slash. */
  baseUrl: string;
  fetch: typeof globalThis.fetch;
  timeoutMs?: number;
}

/** Never rejects: every failure becomes an `unreachable` result whose reason a user can act on. */
export async function checkApiHealth({
  baseUrl,
  fetch,
  timeoutMs = DEFAULT_HEALTH_TIMEOUT_MS,
}: ApiHealthOptions): Promise<ApiHealth> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(`${baseUrl}/healthz`, { signal });
    if (!response.ok) {
      return { state: 'unreachable', baseUrl, reason: `it answered HTTP ${response.status}` };
    }
    const health = Health.safeParse(await response.json());
    if (!health.success) {
      return {
        state: 'unreachable',
        baseUrl,
        reason: 'the server there answered, but not as the companion API does',
      };
    }
    return { state: 'connected', baseUrl, version: health.data.version };
  } catch (error) {
    // Checked on the signal, not the error's type: fetch implementations name an abort differently.
    const reason = signal.aborted
      ? `no answer within ${formatSeconds(timeoutMs)}`
      : describeFailure(error);
    return { state: 'unreachable', baseUrl, reason };
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof SyntaxError) return 'its health response was not JSON';
  // Node's fetch reports network failures as TypeError('fetch failed') with the system error as cause.
  const code = errorCode(error instanceof Error ? error.cause : undefined);
  switch (code) {
    case 'ECONNREFUSED':
      return 'the connection was refused (nothing is listening at that address)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'its host name could not be resolved';
    case 'ECONNRESET':
      return 'the connection was reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'its network is unreachable from this computer';
  }
  if (code !== undefined) return `the connection failed (${code})`;
  return error instanceof Error ? error.message : String(error);
}

function errorCode(cause: unknown): string | undefined {
  if (typeof cause !== 'object' || cause === null || !('code' in cause)) return undefined;
  return typeof cause.code === 'string' ? cause.code : undefined;
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`;
}
