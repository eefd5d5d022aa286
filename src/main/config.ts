// Desktop configuration read from the environment at start-up. Pure: no electron, so it runs
// under Node in tests. An unusable value stops start-up with a message naming the variable.
import { DEFAULT_SERVER_URL, type Settings } from '../shared/ipc/settings.js';

export const DEFAULT_API_URL = DEFAULT_SERVER_URL;

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

/**
 * Setting defaults the environment chooses: MEDAIUS_API_URL (which `npm start` sets to the API
 * it runs) is the server until the user picks another in Settings.
 */
export function settingsDefaultsFromEnv(env: NodeJS.ProcessEnv): Partial<Settings> {
  return env.MEDAIUS_API_URL?.trim() ? { serverUrl: resolveApiBaseUrl(env) } : {};
}

/** MEDAIUS_WS_PORT for the headless WebSocket server: 0, the default, picks a free port. */
export function resolveWebSocketPort(env: NodeJS.ProcessEnv): number {
  const raw = env.MEDAIUS_WS_PORT?.trim() || '0';
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) {
    throw new Error(`MEDAIUS_WS_PORT must be a port number from 0 to 65535, got "${raw}".`);
  }
  return port;
}
