// The companion API as another client sees it, for end-to-end tests that check what reached the
// server, or change something there behind the desktop's back: sign in as a demo user and call
// /api/v1 with the bearer token.
import { DEMO_PASSWORD, type ApiProcess } from './app.js';

export interface ApiClient {
  /** the signed-in user */
  user: { id: string; email: string };
  get<T>(pathAndQuery: string): Promise<T>;
  send<T>(method: 'POST' | 'PATCH' | 'DELETE', pathAndQuery: string, body?: unknown): Promise<T>;
}

/** Signs in to the running API as `email` and returns calls made with that session. */
export async function apiClientAs(
  api: ApiProcess,
  email: string,
  password = DEMO_PASSWORD,
): Promise<ApiClient> {
  const login = await fetch(`${api.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (login.status !== 200) throw new Error(`Signing in to the API as ${email}: ${login.status}`);
  const { token, user } = (await login.json()) as {
    token: string;
    user: { id: string; email: string };
  };
  const call = async <T>(method: string, pathAndQuery: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${api.url}/api/v1${pathAndQuery}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`${method} ${pathAndQuery} as ${email}: ${response.status} ${text}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    user: { id: user.id, email: user.email },
    get: (pathAndQuery) => call('GET', pathAndQuery),
    send: (method, pathAndQuery, body) => call(method, pathAndQuery, body),
  };
}
