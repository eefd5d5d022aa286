// Checks whether the companion API answers, for the connection indicator in the app shell.

export type ApiHealth =
  | { state: 'checking' }
  | { state: 'connected'; baseUrl: string; version: string }
  | { state: 'unreachable'; baseUrl: string | undefined; reason: string };

const TIMEOUT_MS = 5000;

/** Never rejects: every failure becomes an `unreachable` result whose reason a user can act on. */
export async function checkApiHealth(getBaseUrl: () => Promise<string>): Promise<ApiHealth> {
  let baseUrl: string | undefined;
  try {
    baseUrl = await getBaseUrl();
    const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!response.ok) {
      return { state: 'unreachable', baseUrl, reason: `it answered HTTP ${response.status}` };
    }
    const body: unknown = await response.json();
    const version = isRecord(body) && typeof body.version === 'string' ? body.version : 'unknown';
    return { state: 'connected', baseUrl, version };
  } catch (error) {
    return { state: 'unreachable', baseUrl, reason: describeFailure(error) };
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return `no answer within ${TIMEOUT_MS / 1000} seconds`;
  }
  if (error instanceof SyntaxError) return 'its health response was not JSON';
  // fetch reports refused connections, DNS failures and CORS rejections alike as a TypeError.
  if (error instanceof TypeError) return 'the connection failed';
  return error instanceof Error ? error.message : String(error);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
