// Desktop configuration read from the environment at start-up. Pure: no electron, so it runs
// under Node in tests. An unusable value stops start-up with a message naming the variable.

export const DEFAULT_API_URL = 'http://127.0.0.1:4000';

/**
 * The companion API base URL from MEDAIUS_API_URL, without a trailing slash so callers can
 * append paths such as `/healthz`.
 */
export function resolveApiBaseUrl(env: NodeJS.ProcessEnv): string {
  const raw = env.MEDAIUS_API_URL?.trim() || DEFAULT_API_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(
      `MEDAIUS_API_URL is not a valid URL: "${raw}". Use a URL such as ${DEFAULT_API_URL}.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`MEDAIUS_API_URL must use http or https, got "${raw}".`);
  }
  return url.href.replace(/\/+$/, '');
}
