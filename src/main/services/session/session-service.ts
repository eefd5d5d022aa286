// The user's sign-in to the companion API. The access token lives here and in the SecretStore,
// never in the renderer, which sees only SessionState (who, which server, online or not). Other
// services call the API through `api`, which carries the token; when the API says the token is
// no longer valid, the session ends with "session expired" and the renderer returns to sign-in,
// while queued work simply waits (its token provider answers null) until someone signs in again.
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { LoginResponse, Me, type LoginRequest } from '../../../shared/api/schemas.js';
import type { SessionState, SignInResult, SignedOutReason } from '../../../shared/ipc/session.js';
import { Listeners } from '../../listeners.js';
import {
  ApiProblemError,
  createApiHttp,
  networkReason,
  OfflineError,
  type ApiHttp,
} from '../api/http.js';
import type { SecretStore } from '../secrets/secret-store.js';

export type Credentials = z.input<typeof LoginRequest>;

/** The secret the session is saved under. */
export const SESSION_SECRET = 'session';
export const DEFAULT_OFFLINE_RETRY_MS = 30_000;
/** How often a signed-in, online session asks whether the server is still there. */
export const DEFAULT_HEARTBEAT_MS = 30_000;
const HEARTBEAT_TIMEOUT_MS = 10_000;

export const SESSION_EXPIRED_MESSAGE =
  'Your session has expired. Sign in again to continue; queued uploads wait and resume once you do.';
export const SESSION_REVOKED_MESSAGE =
  'Your sign-in is no longer valid: it was ended on the server. Sign in again to continue; queued uploads wait and resume once you do.';

/** What is saved between runs: the token with the server it is for and the last known user. */
const SavedSession = z.object({
  serverUrl: z.string(),
  token: z.string().min(1),
  expiresAt: z.string(),
  user: Me,
});
type SavedSession = z.infer<typeof SavedSession>;

interface SignedIn extends SavedSession {
  offline: boolean;
  message: string | null;
}

/** The server setting, as the settings service offers it. */
export interface ServerSetting {
  get(): { serverUrl: string };
  subscribe(listener: (settings: { serverUrl: string }) => void): () => void;
}

export interface SessionServiceOptions {
  secrets: SecretStore;
  settings: ServerSetting;
  fetch: typeof globalThis.fetch;
  /** how long to wait before asking an unreachable server again */
  offlineRetryMs?: number;
  /** how often to check, while online, that the server is still there */
  heartbeatMs?: number;
  /** per-request timeout for the API */
  timeoutMs?: number;
  reportError?: (message: string, error: unknown) => void;
}

/** A request the session refused, such as changing server while signed in. */
export class SessionError extends Error {
  override name = 'SessionError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class SessionService {
  /**
   * Calls the API as the signed-in user. Every service that talks to the API uses this, so a
   * 401 anywhere ends the session and an unreachable server shows as offline.
   */
  readonly api: ApiHttp;

  private readonly secrets: SecretStore;
  private readonly settings: ServerSetting;
  private readonly fetch: typeof globalThis.fetch;
  private readonly offlineRetryMs: number;
  private readonly timeoutMs: number | undefined;
  private readonly reportError: (message: string, error: unknown) => void;
  private readonly listeners = new Listeners<SessionState>();
  private readonly stopWatchingSettings: () => void;

  private signedIn: SignedIn | null = null;
  private signedOut: { reason: SignedOutReason; message: string | null } = {
    reason: 'not-signed-in',
    message: null,
  };
  /** Session changes run one at a time, so a sign-out cannot interleave with a sign-in. */
  private chain: Promise<unknown> = Promise.resolve();
  private verifying: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly heartbeatTimer: NodeJS.Timeout;
  private stopped = false;
  private lastEmitted: SessionState | undefined;

  constructor(options: SessionServiceOptions) {
    this.secrets = options.secrets;
    this.settings = options.settings;
    this.fetch = options.fetch;
    this.offlineRetryMs = options.offlineRetryMs ?? DEFAULT_OFFLINE_RETRY_MS;
    this.timeoutMs = options.timeoutMs;
    this.reportError = options.reportError ?? ((message, error) => console.error(message, error));
    this.api = this.createSignedInApi();
    let lastServerUrl = this.settings.get().serverUrl;
    this.stopWatchingSettings = this.settings.subscribe(({ serverUrl }) => {
      if (serverUrl === lastServerUrl) return;
      lastServerUrl = serverUrl;
      // Signed out, the state names the server the next sign-in goes to.
      if (!this.signedIn) this.emit();
    });
    this.lastEmitted = this.state();
    this.heartbeatTimer = setInterval(
      () => void this.heartbeat(),
      options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    );
    this.heartbeatTimer.unref();
  }

  /** What the renderer may see: never the token. */
  state(): SessionState {
    if (this.signedIn) {
      const { serverUrl, user, offline, message } = this.signedIn;
      return { signedIn: true, serverUrl, user, offline, message };
    }
    return { signedIn: false, serverUrl: this.serverUrl(), ...this.signedOut };
  }

  /** For the upload queue and other API callers: the token, or null while nobody is signed in. */
  accessToken(): string | null {
    return this.signedIn?.token ?? null;
  }

  /** The server signed in to, or while signed out the one the next sign-in goes to. */
  serverUrl(): string {
    return this.signedIn?.serverUrl ?? this.settings.get().serverUrl;
  }

  subscribe(listener: (state: SessionState) => void): () => void {
    return this.listeners.add(listener);
  }

  /**
   * Restores the saved sign-in at start-up: checked with the server when it answers, kept as
   * "offline" when it does not, and dropped when the server says it has ended.
   */
  restore(): Promise<SessionState> {
    return this.exclusive(async () => {
      const saved = await this.readSaved();
      if (!saved) return this.state();
      if (saved.serverUrl !== this.settings.get().serverUrl) {
        await this.forgetSaved();
        this.signedOut = {
          reason: 'not-signed-in',
          message: `The saved sign-in was for ${saved.serverUrl}, but the server is now ${this.settings.get().serverUrl}. Sign in again.`,
        };
        this.emit();
        return this.state();
      }
      this.signedIn = { ...saved, offline: false, message: null };
      await this.checkWithServer();
      this.emit();
      return this.state();
    });
  }

  signIn(credentials: Credentials): Promise<SignInResult> {
    return this.exclusive(async () => {
      if (this.signedIn) {
        return {
          ok: false,
          code: 'already_signed_in',
          message: `You are already signed in as ${this.signedIn.user.name}. Sign out first to sign in as someone else.`,
        };
      }
      const serverUrl = this.settings.get().serverUrl;
      let retryAfter: string | null = null;
      // Retry-After is the one header the sign-in needs; ApiProblemError carries no headers.
      const login = this.http(serverUrl, null, async (input, init) => {
        const response = await this.fetch(input, init);
        retryAfter = response.headers.get('retry-after');
        return response;
      });
      let answer: LoginResponse;
      try {
        answer = await login('POST', '/auth/login', { body: credentials, schema: LoginResponse });
      } catch (error) {
        return signInFailure(error, retryAfter);
      }
      const saved: SavedSession = {
        serverUrl,
        token: answer.token,
        expiresAt: answer.expiresAt,
        user: answer.user,
      };
      try {
        await this.secrets.set(SESSION_SECRET, JSON.stringify(saved));
      } catch (error) {
        await this.revoke(saved).catch(() => undefined);
        return {
          ok: false,
          code: 'sign_in_failed',
          message: `The sign-in could not be saved on this computer, so it was undone: ${(error as Error).message}`,
        };
      }
      this.signedIn = { ...saved, offline: false, message: null };
      this.emit();
      const session = this.state();
      if (!session.signedIn) throw new Error('The session ended while signing in.');
      return { ok: true, session };
    });
  }

  /**
   * Ends the session on the server and forgets it here. Without the server, it is forgotten here
   * all the same, and the message says the server-side session ends on its own.
   */
  signOut(): Promise<SessionState> {
    return this.exclusive(async () => {
      const session = this.signedIn;
      if (!session) return this.state();
      this.signedIn = null;
      this.cancelRetry();
      const notes: string[] = [];
      try {
        await this.revoke(session);
      } catch (error) {
        if (!(error instanceof ApiProblemError && error.status === 401)) {
          notes.push(
            `The server could not be told (${describeFailure(error)}), so the session there ends on its own at ${session.expiresAt}.`,
          );
        }
      }
      try {
        await this.secrets.delete(SESSION_SECRET);
      } catch (error) {
        notes.push(`The saved sign-in could not be removed: ${(error as Error).message}`);
      }
      this.signedOut = {
        reason: 'signed-out',
        message: notes.length ? `Signed out on this computer. ${notes.join(' ')}` : null,
      };
      this.emit();
      return this.state();
    });
  }

  /** Refuses a server change while signed in: the token belongs to the server it came from. */
  assertServerChangeAllowed(serverUrl: string): void {
    if (this.signedIn && serverUrl !== this.signedIn.serverUrl) {
      throw new SessionError(
        'signed_in',
        `Sign out before changing the server address: you are signed in to ${this.signedIn.serverUrl}.`,
      );
    }
  }

  /** Stops retrying an offline server and waits for a sign-in or sign-out under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.heartbeatTimer);
    this.cancelRetry();
    this.stopWatchingSettings();
    await this.chain;
  }

  private createSignedInApi(): ApiHttp {
    const http = createApiHttp({
      baseUrl: () => this.serverUrl(),
      token: () => this.accessToken(),
      fetch: this.fetch,
      timeoutMs: this.timeoutMs,
      onUnauthorized: () => this.verifySoon(),
    });
    return async (method, path, options) => {
      try {
        const answer = await http(method, path, options);
        this.markOnline();
        return answer;
      } catch (error) {
        if (error instanceof OfflineError) this.markOffline(error);
        else if (error instanceof ApiProblemError) this.markOnline();
        throw error;
      }
    };
  }

  /**
   * A 401 may answer a request sent with a token that has since been replaced, so the current
   * token is checked before the session is ended. Several 401s at once share one check.
   */
  private verifySoon(): void {
    if (!this.signedIn || this.verifying) return;
    this.verifying = this.exclusive(() => this.checkWithServer()).finally(() => {
      this.verifying = undefined;
    });
  }

  /** Asks the server who the current token belongs to; must run inside `exclusive`. */
  private async checkWithServer(): Promise<void> {
    const session = this.signedIn;
    if (!session || this.stopped) return;
    try {
      const user = await this.http(session.serverUrl, session.token)('GET', '/me', { schema: Me });
      this.signedIn = { ...session, user, offline: false, message: null };
      this.cancelRetry();
      this.emit();
      // Kept current for the next start while offline: name, role and permissions can change.
      if (!isDeepStrictEqual(user, session.user)) await this.save(this.signedIn);
    } catch (error) {
      if (error instanceof ApiProblemError && error.status === 401) {
        await this.expire(error);
      } else {
        this.markOffline(error);
      }
    }
  }

  private async expire(error: ApiProblemError): Promise<void> {
    this.signedIn = null;
    this.cancelRetry();
    await this.forgetSaved();
    this.signedOut = {
      reason: 'session-expired',
      message: error.code === 'unauthenticated' ? SESSION_REVOKED_MESSAGE : SESSION_EXPIRED_MESSAGE,
    };
    this.emit();
  }

  private markOnline(): void {
    if (!this.signedIn?.offline) return;
    this.signedIn = { ...this.signedIn, offline: false, message: null };
    this.cancelRetry();
    this.emit();
  }

  private markOffline(error: unknown): void {
    const session = this.signedIn;
    if (!session) return;
    const message =
      error instanceof OfflineError
        ? `Working offline: ${error.message} You stay signed in as ${session.user.name}; queued work is sent once the server answers again.`
        : `The server could not confirm your sign-in (${describeFailure(error)}). You stay signed in as ${session.user.name}; it is checked again shortly.`;
    this.signedIn = { ...session, offline: true, message };
    this.emit();
    this.scheduleRetry();
  }

  /**
   * Signed in and online, the server is asked now and then whether it is still there, so the
   * app says it is offline when the network goes, not only when the user next asks for
   * something. The health check needs no token and is not audited; any answer means reachable.
   */
  private async heartbeat(): Promise<void> {
    const session = this.signedIn;
    if (!session || session.offline || this.stopped) return;
    try {
      await this.fetch(`${session.serverUrl}/healthz`, {
        signal: AbortSignal.timeout(this.timeoutMs ?? HEARTBEAT_TIMEOUT_MS),
      });
    } catch (error) {
      if (this.signedIn === session && !this.stopped) {
        this.markOffline(new OfflineError(session.serverUrl, networkReason(error)));
      }
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.verifySoon();
    }, this.offlineRetryMs);
    this.retryTimer.unref();
  }

  private cancelRetry(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private async readSaved(): Promise<SavedSession | undefined> {
    let text: string | null;
    try {
      text = await this.secrets.get(SESSION_SECRET);
    } catch (error) {
      await this.forgetSaved();
      this.signedOut = {
        reason: 'not-signed-in',
        message: `Your saved sign-in could not be read, so it was removed: ${(error as Error).message} Sign in again.`,
      };
      this.emit();
      return undefined;
    }
    if (text === null) return undefined;
    const saved = parseSaved(text);
    if (!saved) {
      await this.forgetSaved();
      this.signedOut = {
        reason: 'not-signed-in',
        message: 'Your saved sign-in was damaged, so it was removed. Sign in again.',
      };
      this.emit();
    }
    return saved;
  }

  private async save(session: SavedSession): Promise<void> {
    const { serverUrl, token, expiresAt, user } = session;
    try {
      await this.secrets.set(SESSION_SECRET, JSON.stringify({ serverUrl, token, expiresAt, user }));
    } catch (error) {
      this.reportError('The refreshed sign-in could not be saved.', error);
    }
  }

  private async forgetSaved(): Promise<void> {
    try {
      await this.secrets.delete(SESSION_SECRET);
    } catch (error) {
      // The next start finds the token again, asks the server, and is told it has ended.
      this.reportError('The ended sign-in could not be removed from this computer.', error);
    }
  }

  private revoke(session: SavedSession): Promise<unknown> {
    return this.http(session.serverUrl, session.token)('POST', '/auth/logout');
  }

  /** The API as one request sees it, with the token given rather than the session's own. */
  private http(
    serverUrl: string,
    token: string | null,
    fetch: typeof globalThis.fetch = this.fetch,
  ): ApiHttp {
    return createApiHttp({
      baseUrl: () => serverUrl,
      token: () => token,
      fetch,
      timeoutMs: this.timeoutMs,
    });
  }

  /** Tells subscribers about a change of state; repeating the same state is not a change. */
  private emit(): void {
    const state = this.state();
    if (isDeepStrictEqual(state, this.lastEmitted)) return;
    this.lastEmitted = state;
    this.listeners.emit(state);
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task);
    this.chain = run.catch(() => undefined);
    return run;
  }
}

function signInFailure(error: unknown, retryAfter: string | null): SignInResult {
  if (error instanceof OfflineError) {
    return {
      ok: false,
      code: 'server_unreachable',
      message: `${error.message} Check the server address in Settings and this computer's network connection, then try again.`,
    };
  }
  if (error instanceof ApiProblemError) {
    switch (error.code) {
      case 'invalid_credentials':
        return {
          ok: false,
          code: 'invalid_credentials',
          message: 'The e-mail address or password is not correct.',
        };
      case 'login_throttled': {
        const minutes = minutesOf(retryAfter);
        if (minutes === undefined) {
          return { ok: false, code: 'login_throttled', message: error.detail };
        }
        return {
          ok: false,
          code: 'login_throttled',
          message: `Too many failed sign-in attempts. Try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`,
          retryAfterMinutes: minutes,
        };
      }
    }
    return {
      ok: false,
      code: 'sign_in_failed',
      message: `The server refused the sign-in: ${error.detail}`,
    };
  }
  throw error;
}

/** Retry-After in whole minutes, rounded up; undefined when absent or not a number of seconds. */
function minutesOf(retryAfter: string | null): number | undefined {
  if (retryAfter === null || !/^\d+$/.test(retryAfter.trim())) return undefined;
  return Math.max(1, Math.ceil(Number(retryAfter) / 60));
}

function describeFailure(error: unknown): string {
  if (error instanceof OfflineError) return error.reason;
  return error instanceof Error ? error.message : String(error);
}

function parseSaved(text: string): SavedSession | undefined {
  try {
    const parsed = SavedSession.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
