// Sign-in, sign-out and bearer-token authentication. Passwords are Argon2id; tokens are
// random, handed out once and stored only as SHA-256 hashes; failed logins are throttled
// per account and per client address.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import type { LoginResponse } from '../../shared/api/schemas.js';
import type { Role } from '../../shared/domain.js';
import type { Database } from '../db/database.js';
import { isoNow, type Clock } from '../clock.js';
import { ApiError } from '../errors.js';
import { UserRepository, type ThrottleRow } from '../repositories/users.js';
import type { AccessService } from './access.js';
import type { AuditContext, AuditService } from './audit.js';

/** OWASP's Argon2id baseline: 19 MiB, 2 passes, 1 lane (algorithm 2 is Argon2id). */
const ARGON2_OPTIONS = { algorithm: 2 as const, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return argon2Hash(password, ARGON2_OPTIONS);
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface ThrottlePolicy {
  /** failures allowed within `windowMs` before the key is locked */
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

export const DEFAULT_THROTTLE: { account: ThrottlePolicy; address: ThrottlePolicy } = {
  account: { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
  address: { maxFailures: 20, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
};

/** Who is calling: the authenticated user of a request and where the request came from. */
export interface Actor {
  sessionId: string;
  userId: string;
  organizationId: string;
  organizationName: string;
  aclEnabled: boolean;
  email: string;
  name: string;
  role: Role;
  clientAddress: string | null;
  userAgent: string | null;
}

export function auditContextOf(actor: Actor): AuditContext {
  return {
    organizationId: actor.organizationId,
    userId: actor.userId,
    clientAddress: actor.clientAddress,
    userAgent: actor.userAgent,
  };
}

export interface Client {
  address: string | null;
  userAgent: string | null;
}

export class AuthService {
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly database: Database,
    private readonly audit: AuditService,
    private readonly access: AccessService,
    private readonly clock: Clock,
    private readonly sessionTtlMs: number,
    private readonly throttle = DEFAULT_THROTTLE,
  ) {}

  async login(email: string, password: string, client: Client): Promise<LoginResponse> {
    const users = new UserRepository(this.database.db);
    const accountKey = `account:${email}`;
    const addressKey = `address:${client.address ?? 'unknown'}`;
    const user = await users.findUserByEmail(email);
    const ctx: AuditContext = {
      organizationId: user?.organization_id ?? null,
      userId: user?.id ?? null,
      clientAddress: client.address,
      userAgent: client.userAgent,
    };

    const lockedFor = Math.max(
      await this.lockRemainingMs(users, accountKey),
      await this.lockRemainingMs(users, addressKey),
    );
    if (lockedFor > 0) {
      await this.audit.record(ctx, {
        action: 'auth.login',
        outcome: 'failure',
        details: { email, reason: 'throttled' },
      });
      const seconds = Math.ceil(lockedFor / 1000);
      throw new ApiError(
        'login_throttled',
        `Too many failed sign-in attempts. Try again in ${Math.ceil(seconds / 60)} minute(s).`,
        { 'retry-after': String(seconds) },
      );
    }

    // Unknown accounts still cost one Argon2 verification, so response time does not tell
    // which e-mail addresses exist.
    const passwordOk = user
      ? await argon2Verify(user.password_hash, password)
      : await argon2Verify(await this.dummy(), password).then(() => false);
    if (!user || !passwordOk || user.disabled_at) {
      await this.recordFailure(users, accountKey, this.throttle.account);
      await this.recordFailure(users, addressKey, this.throttle.address);
      await this.audit.record(ctx, {
        action: 'auth.login',
        outcome: 'failure',
        details: { email, reason: user?.disabled_at ? 'account disabled' : 'invalid credentials' },
      });
      throw new ApiError('invalid_credentials', 'The e-mail address or password is not correct.');
    }

    await users.clearThrottle(accountKey);
    const token = 'mdr_' + randomBytes(32).toString('base64url');
    const now = this.clock();
    const expiresAt = new Date(now.getTime() + this.sessionTtlMs).toISOString();
    const sessionId = randomUUID();
    await users.insertSession({
      id: sessionId,
      token_hash: hashToken(token),
      user_id: user.id,
      organization_id: user.organization_id,
      created_at: now.toISOString(),
      expires_at: expiresAt,
      client_address: client.address,
      user_agent: client.userAgent,
    });
    await this.audit.record(ctx, {
      action: 'auth.login',
      entityType: 'session',
      entityId: sessionId,
    });
    const actor = await this.authenticate(token, client);
    return { token, expiresAt, user: await this.access.describe(actor) };
  }

  async authenticate(token: string, client: Client): Promise<Actor> {
    const found = await new UserRepository(this.database.db).findSession(hashToken(token));
    if (!found || found.user.disabled_at) {
      throw new ApiError('unauthenticated', 'Sign in to continue: the access token is not valid.');
    }
    if (found.expiresAt <= isoNow(this.clock)) {
      throw new ApiError('session_expired', 'Your session has expired. Sign in again.');
    }
    return {
      sessionId: found.sessionId,
      userId: found.user.id,
      organizationId: found.organization.id,
      organizationName: found.organization.name,
      aclEnabled: found.organization.acl_enabled === 1,
      email: found.user.email,
      name: found.user.name,
      role: found.user.role,
      clientAddress: client.address,
      userAgent: client.userAgent,
    };
  }

  async logout(actor: Actor): Promise<void> {
    await this.database.db.transaction().execute(async (trx) => {
      await new UserRepository(trx).revokeSession(actor.sessionId, isoNow(this.clock));
      await this.audit.record(
        auditContextOf(actor),
        { action: 'auth.logout', entityType: 'session', entityId: actor.sessionId },
        trx,
      );
    });
  }

  private async lockRemainingMs(users: UserRepository, key: string): Promise<number> {
    const row = await users.findThrottle(key);
    if (!row?.locked_until) return 0;
    return Math.max(0, Date.parse(row.locked_until) - this.clock().getTime());
  }

  private async recordFailure(users: UserRepository, key: string, policy: ThrottlePolicy) {
    const now = this.clock();
    const row = await users.findThrottle(key);
    const windowOpen = row && now.getTime() - Date.parse(row.window_started_at) < policy.windowMs;
    const next: ThrottleRow = windowOpen
      ? { ...row, failures: row.failures + 1 }
      : { key, failures: 1, window_started_at: now.toISOString(), locked_until: null };
    if (next.failures >= policy.maxFailures) {
      next.locked_until = new Date(now.getTime() + policy.lockMs).toISOString();
      next.failures = 0;
      next.window_started_at = now.toISOString();
    }
    await users.saveThrottle(next);
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    return this.dummyHash;
  }
}
