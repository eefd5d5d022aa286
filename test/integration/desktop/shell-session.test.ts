// Signing in and out of the desktop client against the real companion API (SQLite, listening on
// a real port), through the same handler map the window uses. Main reaches the API through a TCP
// proxy that can go down, for a server that goes away. What the renderer may see — every output
// and every event — never contains the access token.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { invokeChannel } from '../../../src/main/ipc.js';
import { SafeStorageSecretStore } from '../../../src/main/services/secrets/safe-storage.js';
import {
  SESSION_EXPIRED_MESSAGE,
  SESSION_REVOKED_MESSAGE,
} from '../../../src/main/services/session/session-service.js';
import {
  API_HEALTH,
  SECRETS_STATUS,
  SESSION_CHANGED,
  SESSION_GET,
  SESSION_SIGN_IN,
  SESSION_SIGN_OUT,
  SETTINGS_GET,
  SETTINGS_UPDATE,
  type SessionState,
} from '../../../src/shared/ipc/contract.js';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.js';
import { createWorld, PASSWORD, type World } from '../../support/world.js';
import {
  closedPortUrl,
  createTestMain,
  fakeSafeStorage,
  eventually,
  temporaryDir,
  type TestMain,
} from '../../unit/main/fixtures.js';

const SESSION_TTL_MS = 8 * 3600_000; // SESSION_TTL_HOURS in test/support/world.ts

let world: World;
let proxy: TcpProxy;

beforeAll(async () => {
  world = await createWorld('sqlite', {
    listen: true,
    throttle: {
      account: { maxFailures: 3, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
      address: { maxFailures: 100, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
    },
  });
  proxy = await startTcpProxy({ target: new URL(world.url()).host });
});

afterAll(async () => {
  await proxy?.close();
  await world?.close();
});

let folder: ReturnType<typeof temporaryDir>;
const running: TestMain[] = [];

beforeEach(() => {
  folder = temporaryDir('medaius-session-');
});

afterEach(async () => {
  for (const main of running.splice(0)) await main.stop();
  folder.remove();
  // A test that took the server away leaves it away; the next one starts with it reachable.
  if (!proxyUp) await proxy.up();
  proxyUp = true;
});

let proxyUp = true;
async function takeServerAway(): Promise<void> {
  proxyUp = false;
  await proxy.down();
}

/** Main's services as a fresh start of the app on this test's data folder. */
function startMain(offlineRetryMs?: number, heartbeatMs?: number): TestMain {
  const main = createTestMain({
    dataDir: folder.dir,
    serverUrl: proxy.url,
    offlineRetryMs,
    heartbeatMs,
  });
  running.push(main);
  return main;
}

function call(main: TestMain, channel: string, input?: unknown): Promise<unknown> {
  return invokeChannel(main.handlers, channel, input === undefined ? [] : [input]);
}

function sessionEvents(main: TestMain): SessionState[] {
  return main.published
    .filter((message) => message.event === SESSION_CHANGED)
    .map((message) => message.payload as SessionState);
}

const email = (role: keyof World['a']['users']) => world.a.users[role].email;

async function signIn(main: TestMain, role: keyof World['a']['users']): Promise<string> {
  const result = await call(main, SESSION_SIGN_IN, { email: email(role), password: PASSWORD });
  expect(result).toMatchObject({ ok: true });
  const token = main.session.accessToken();
  if (!token) throw new Error('signed in without a token');
  return token;
}

describe('signing in', () => {
  it('signs in; the renderer learns who and where, and never the token', async () => {
    const main = startMain();
    const result = await call(main, SESSION_SIGN_IN, {
      email: email('front-desk').toUpperCase(),
      password: PASSWORD,
    });
    const signedIn = {
      signedIn: true,
      serverUrl: proxy.url,
      user: expect.objectContaining({
        email: email('front-desk'),
        role: 'front-desk',
        name: 'alpha front-desk',
      }),
      offline: false,
      message: null,
    };
    expect(result).toEqual({ ok: true, session: signedIn });
    expect(sessionEvents(main).at(-1)).toEqual(signedIn);

    const token = main.session.accessToken();
    expect(token).toMatch(/^mdr_/);
    expect((await world.call(token, 'GET', '/api/v1/me')).statusCode).toBe(200);

    const outputs = [
      result,
      await call(main, SESSION_GET),
      await call(main, SETTINGS_GET),
      await call(main, SECRETS_STATUS),
      await call(main, API_HEALTH),
    ];
    const visible = JSON.stringify([outputs, main.published]);
    expect(visible).not.toContain(token!);
    expect(visible).not.toContain(token!.slice(4));
  });

  it('with safeStorage, keeps the token on disk encrypted, and restores it', async () => {
    const safeStorage = fakeSafeStorage({ backend: 'basic_text' });
    const file = path.join(folder.dir, 'secrets.json');
    const withSafeStorage = () => {
      const main = createTestMain({
        dataDir: folder.dir,
        serverUrl: proxy.url,
        secrets: new SafeStorageSecretStore({ safeStorage, file, platform: 'linux' }),
      });
      running.push(main);
      return main;
    };
    const main = withSafeStorage();
    expect(await call(main, SECRETS_STATUS)).toMatchObject({ protection: 'basic-text' });
    const token = await signIn(main, 'clinician');
    expect(readFileSync(file, 'utf8')).not.toContain(token);
    await main.stop();
    const restarted = withSafeStorage();
    expect(await restarted.session.restore()).toMatchObject({ signedIn: true, offline: false });
    expect(restarted.session.accessToken()).toBe(token);
  });

  it('says the password is wrong, in the app’s words', async () => {
    const main = startMain();
    expect(
      await call(main, SESSION_SIGN_IN, {
        email: email('clinician'),
        password: 'not the password',
      }),
    ).toEqual({
      ok: false,
      code: 'invalid_credentials',
      message: 'The e-mail address or password is not correct.',
    });
    expect(await call(main, SESSION_GET)).toMatchObject({
      signedIn: false,
      reason: 'not-signed-in',
    });
    expect(main.session.accessToken()).toBeNull();
  });

  it('says the server cannot be reached, where, and what to check', async () => {
    const main = startMain();
    const nowhere = await closedPortUrl();
    await call(main, SETTINGS_UPDATE, { serverUrl: nowhere });
    expect(
      await call(main, SESSION_SIGN_IN, { email: email('admin'), password: PASSWORD }),
    ).toEqual({
      ok: false,
      code: 'server_unreachable',
      message: `The Medaius server at ${nowhere} cannot be reached (connection refused — is the server running?). Check the server address in Settings and this computer's network connection, then try again.`,
    });
  });

  it('says how many minutes to wait after too many wrong passwords', async () => {
    const main = startMain();
    for (let i = 0; i < 3; i++) {
      expect(
        await call(main, SESSION_SIGN_IN, { email: email('billing'), password: 'guess' + i }),
      ).toMatchObject({ code: 'invalid_credentials' });
    }
    expect(
      await call(main, SESSION_SIGN_IN, { email: email('billing'), password: PASSWORD }),
    ).toEqual({
      ok: false,
      code: 'login_throttled',
      message: 'Too many failed sign-in attempts. Try again in 15 minutes.',
      retryAfterMinutes: 15,
    });
  });

  it('refuses a second sign-in, and a server change, while signed in', async () => {
    const main = startMain();
    await signIn(main, 'clinician');
    expect(
      await call(main, SESSION_SIGN_IN, { email: email('admin'), password: PASSWORD }),
    ).toEqual({
      ok: false,
      code: 'already_signed_in',
      message:
        'You are already signed in as alpha clinician. Sign out first to sign in as someone else.',
    });
    await expect(
      call(main, SETTINGS_UPDATE, { serverUrl: 'https://records.example.org' }),
    ).rejects.toThrow(
      `Sign out before changing the server address: you are signed in to ${proxy.url}.`,
    );
    expect(main.settings.get().serverUrl).toBe(proxy.url);
    // Other settings can change while signed in.
    expect(await call(main, SETTINGS_UPDATE, { uploadConcurrency: 2 })).toMatchObject({
      uploadConcurrency: 2,
    });
  });
});

describe('signing out', () => {
  it('ends the session on the server and forgets it here', async () => {
    const main = startMain();
    const token = await signIn(main, 'clinician');
    expect(await call(main, SESSION_SIGN_OUT)).toEqual({
      signedIn: false,
      serverUrl: proxy.url,
      reason: 'signed-out',
      message: null,
    });
    expect((await world.call(token, 'GET', '/api/v1/me')).statusCode).toBe(401);
    expect(main.session.accessToken()).toBeNull();
    expect(sessionEvents(main).at(-1)).toMatchObject({ signedIn: false, reason: 'signed-out' });
    const restarted = startMain();
    expect(await restarted.session.restore()).toMatchObject({
      signedIn: false,
      reason: 'not-signed-in',
    });
  });

  it('without the server, signs out here and says the server-side session ends on its own', async () => {
    const main = startMain();
    await signIn(main, 'clinician');
    await takeServerAway();
    const state = (await call(main, SESSION_SIGN_OUT)) as SessionState;
    expect(state).toMatchObject({ signedIn: false, reason: 'signed-out' });
    // The reason depends on whether a kept-alive connection or a new one met the cut.
    expect(state.message).toMatch(
      /^Signed out on this computer\. The server could not be told \(.+\), so the session there ends on its own at \d{4}-\d\d-\d\dT/,
    );
  });
});

describe('at start-up', () => {
  it('restores the saved session, checked with the server', async () => {
    const first = startMain();
    const token = await signIn(first, 'front-desk');
    await first.stop();

    const main = startMain();
    expect(await call(main, SESSION_GET)).toMatchObject({ signedIn: false });
    const restored = await main.session.restore();
    expect(restored).toMatchObject({
      signedIn: true,
      offline: false,
      user: { email: email('front-desk') },
    });
    expect(sessionEvents(main).at(-1)).toEqual(restored);
    expect(main.session.accessToken()).toBe(token);
    expect(JSON.stringify(main.published)).not.toContain(token);
  });

  it('keeps the session when the server cannot be reached, says "offline", and comes back online', async () => {
    const first = startMain();
    await signIn(first, 'front-desk');
    await first.stop();
    await takeServerAway();

    const main = startMain(50);
    const restored = await main.session.restore();
    expect(restored).toMatchObject({
      signedIn: true,
      offline: true,
      user: { email: email('front-desk') },
    });
    expect(restored.message).toMatch(
      new RegExp(
        `^Working offline: The Medaius server at ${proxy.url} cannot be reached \\(.+\\)\\. You stay signed in as alpha front-desk; queued work is sent once the server answers again\\.$`,
      ),
    );
    expect(main.session.accessToken()).toMatch(/^mdr_/);

    await proxy.up();
    proxyUp = true;
    await eventually(() =>
      expect(main.session.state()).toMatchObject({ signedIn: true, offline: false, message: null }),
    );
    expect(sessionEvents(main).at(-1)).toMatchObject({ signedIn: true, offline: false });
  });

  it('notices the server going away while nobody asks it anything, and coming back', async () => {
    const main = startMain(50, 50);
    await signIn(main, 'front-desk');
    expect(main.session.state()).toMatchObject({ signedIn: true, offline: false });

    await takeServerAway();
    await eventually(() =>
      expect(main.session.state()).toMatchObject({
        signedIn: true,
        offline: true,
        message: expect.stringMatching(
          /^Working offline: The Medaius server at .+ cannot be reached/,
        ),
      }),
    );

    await proxy.up();
    proxyUp = true;
    await eventually(() =>
      expect(main.session.state()).toMatchObject({ signedIn: true, offline: false, message: null }),
    );
  });

  it('drops a saved session the server has ended, and says so', async () => {
    const first = startMain();
    const token = await signIn(first, 'front-desk');
    await first.stop();
    await world.call(token, 'POST', '/api/v1/auth/logout');

    const main = startMain();
    expect(await main.session.restore()).toEqual({
      signedIn: false,
      serverUrl: proxy.url,
      reason: 'session-expired',
      message: SESSION_REVOKED_MESSAGE,
    });
    expect(main.session.accessToken()).toBeNull();
  });
});

describe('when the API stops accepting the token', () => {
  it('an expired session signs out with "session expired"; queued work waits for the next sign-in', async () => {
    const main = startMain();
    await signIn(main, 'admin');
    const before = world.time.now;
    world.time.advance(SESSION_TTL_MS + 60_000);
    try {
      // What the upload queue does: call the API through the session, with its token provider.
      await expect(main.session.api('GET', '/me', { schema: z.unknown() })).rejects.toMatchObject({
        status: 401,
        code: 'session_expired',
      });
      await eventually(() =>
        expect(sessionEvents(main).at(-1)).toEqual({
          signedIn: false,
          serverUrl: proxy.url,
          reason: 'session-expired',
          message: SESSION_EXPIRED_MESSAGE,
        }),
      );
      expect(SESSION_EXPIRED_MESSAGE).toMatch(/^Your session has expired\. Sign in again/);
      expect(main.session.accessToken()).toBeNull();
      // The saved session is gone too: a restart asks for a sign-in.
      expect(await startMain().session.restore()).toMatchObject({ signedIn: false });
    } finally {
      world.time.now = before;
    }
    // Signing in again gives the waiting work a token again.
    await signIn(main, 'admin');
    expect(main.session.accessToken()).toMatch(/^mdr_/);
  });

  it('a session ended elsewhere signs out too, and a new sign-in works at once', async () => {
    const main = startMain();
    const token = await signIn(main, 'clinician');
    await world.call(token, 'POST', '/api/v1/auth/logout');
    await expect(main.session.api('GET', '/me', { schema: z.unknown() })).rejects.toMatchObject({
      status: 401,
    });
    await eventually(() =>
      expect(main.session.state()).toMatchObject({
        signedIn: false,
        reason: 'session-expired',
        message: SESSION_REVOKED_MESSAGE,
      }),
    );
    const fresh = await signIn(main, 'clinician');
    expect(
      await main.session.api('GET', '/me', { schema: z.object({ email: z.string() }) }),
    ).toEqual(expect.objectContaining({ email: email('clinician') }));
    expect(main.session.accessToken()).toBe(fresh);
  });
});
