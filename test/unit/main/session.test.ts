// The session's own rules, against a small scripted HTTP server standing in for the API where
// the real one cannot be made to misbehave on cue: a 401 for a token that is still good, a saved
// session that is damaged or for another server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CATEGORIES } from '../../../src/shared/domain.js';
import { SESSION_SECRET } from '../../../src/main/services/session/session-service.js';
import { createTestMain, eventually, temporaryDir, type TestMain } from './fixtures.js';

const USER = {
  id: randomUUID(),
  email: 'frontdesk@riverside.test',
  name: 'Riverside Front Desk',
  role: 'front-desk',
  organization: { id: randomUUID(), name: 'Riverside Family Clinic', aclEnabled: false },
  permissions: Object.fromEntries(CATEGORIES.map((c) => [c, { read: true, write: true }])),
};
const TOKEN = 'mdr_scripted-token';

let server: Server;
let baseUrl: string;
let meRequests = 0;
/** answers for /api/v1/patients, in order */
let patientAnswers: number[] = [];
let folder: ReturnType<typeof temporaryDir>;
const running: TestMain[] = [];

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, {
    'content-type': status >= 400 ? 'application/problem+json' : 'application/json',
  });
  response.end(JSON.stringify(body));
}

function problem(response: ServerResponse, code: string, detail: string): void {
  json(response, 401, { type: 'about:blank', title: 'Unauthorized', status: 401, code, detail });
}

function route(request: IncomingMessage, response: ServerResponse): void {
  const authorized = request.headers.authorization === `Bearer ${TOKEN}`;
  switch (`${request.method} ${request.url}`) {
    case 'POST /api/v1/auth/login':
      return json(response, 200, {
        token: TOKEN,
        expiresAt: new Date(Date.now() + 3600_000).toISOString(),
        user: USER,
      });
    case 'GET /api/v1/me':
      meRequests += 1;
      return authorized
        ? json(response, 200, USER)
        : problem(response, 'unauthenticated', 'Sign in.');
    case 'GET /api/v1/patients': {
      const status = patientAnswers.shift() ?? 200;
      if (status === 401) return problem(response, 'unauthenticated', 'Sign in.');
      return json(response, 200, { items: [] });
    }
  }
  json(response, 404, { code: 'not_found', detail: 'No such route.' });
}

beforeEach(async () => {
  meRequests = 0;
  patientAnswers = [];
  server = createServer(route);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  folder = temporaryDir('medaius-session-unit-');
});

afterEach(async () => {
  for (const main of running.splice(0)) await main.stop();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  folder.remove();
});

function startMain(serverUrl = baseUrl): TestMain {
  const main = createTestMain({ dataDir: folder.dir, serverUrl });
  running.push(main);
  return main;
}

describe('session', () => {
  it('keeps a session the server still accepts after a 401 on some other request', async () => {
    const main = startMain();
    expect(await main.session.signIn({ email: USER.email, password: 'pw' })).toMatchObject({
      ok: true,
    });
    patientAnswers = [401];
    await expect(
      main.session.api('GET', '/patients', { schema: z.unknown() }),
    ).rejects.toMatchObject({
      status: 401,
    });
    // The current token is checked with the server before anything ends; stop() waits for it.
    await eventually(() => expect(meRequests).toBe(1));
    await main.session.stop();
    expect(main.session.state()).toMatchObject({ signedIn: true, offline: false });
    expect(main.session.accessToken()).toBe(TOKEN);
  });

  it('drops a saved session that is damaged, and says so', async () => {
    writeFileSync(
      path.join(folder.dir, 'secrets.json'),
      JSON.stringify({ version: 1, secrets: { [SESSION_SECRET]: '{"token":' } }),
    );
    const main = startMain();
    expect(await main.session.restore()).toEqual({
      signedIn: false,
      serverUrl: baseUrl,
      reason: 'not-signed-in',
      message: 'Your saved sign-in was damaged, so it was removed. Sign in again.',
    });
    expect(meRequests).toBe(0);
  });

  it('does not send a saved token to a server other than the one it came from', async () => {
    const first = startMain();
    await first.session.signIn({ email: USER.email, password: 'pw' });
    await first.stop();
    const elsewhere = 'http://127.0.0.1:9';
    const main = startMain();
    main.settings.update({ serverUrl: elsewhere });
    expect(await main.session.restore()).toEqual({
      signedIn: false,
      serverUrl: elsewhere,
      reason: 'not-signed-in',
      message: `The saved sign-in was for ${baseUrl}, but the server is now ${elsewhere}. Sign in again.`,
    });
    expect(meRequests).toBe(0);
  });

  it('names the server the next sign-in goes to when it changes while signed out', () => {
    const main = startMain();
    main.settings.update({ serverUrl: 'https://records.example.org' });
    expect(main.published.filter((m) => m.event === 'session:changed').at(-1)).toEqual({
      event: 'session:changed',
      payload: {
        signedIn: false,
        serverUrl: 'https://records.example.org',
        reason: 'not-signed-in',
        message: null,
      },
    });
  });
});
