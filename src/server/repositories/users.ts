// SQL for organizations, users, sessions and the login throttle.
import type { Kysely, Selectable } from 'kysely';
import { executeCached } from '../db/prepared.js';
import type { DB, LoginThrottleTable, OrganizationTable, UserTable } from '../db/schema.js';

export type UserRow = Selectable<UserTable>;
export type OrganizationRow = Selectable<OrganizationTable>;
export type ThrottleRow = Selectable<LoginThrottleTable>;

export interface SessionUser {
  sessionId: string;
  expiresAt: string;
  /** the user, less the password hash authentication has no use for */
  user: Omit<UserRow, 'password_hash'>;
  organization: OrganizationRow;
}

export class UserRepository {
  constructor(private readonly db: Kysely<DB>) {}

  insertOrganization(row: OrganizationRow): Promise<unknown> {
    return this.db.insertInto('organizations').values(row).execute();
  }

  findOrganization(id: string): Promise<OrganizationRow | undefined> {
    return this.db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
  }

  setAclEnabled(organizationId: string, enabled: boolean): Promise<unknown> {
    return this.db
      .updateTable('organizations')
      .set({ acl_enabled: enabled ? 1 : 0 })
      .where('id', '=', organizationId)
      .execute();
  }

  countOrganizations(): Promise<number> {
    return this.db
      .selectFrom('organizations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n));
  }

  insertUser(row: UserRow): Promise<unknown> {
    return this.db.insertInto('users').values(row).execute();
  }

  findUserByEmail(email: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  }

  insertSession(row: {
    id: string;
    token_hash: string;
    user_id: string;
    organization_id: string;
    created_at: string;
    expires_at: string;
    client_address: string | null;
    user_agent: string | null;
  }): Promise<unknown> {
    return this.db.insertInto('sessions').values(row).execute();
  }

  /** Runs on every authenticated request, so it is compiled once. */
  async findSession(tokenHash: string): Promise<SessionUser | undefined> {
    const [row] = await executeCached(this.db, 'users.findSession', { tokenHash }, (v) =>
      this.db
        .selectFrom('sessions as s')
        .innerJoin('users as u', 'u.id', 's.user_id')
        .innerJoin('organizations as o', 'o.id', 's.organization_id')
        .where('s.token_hash', '=', v.tokenHash)
        .where('s.revoked_at', 'is', null)
        .select([
          's.id as session_id',
          's.expires_at',
          'u.id',
          'u.organization_id',
          'u.email',
          'u.name',
          'u.role',
          'u.password_hash',
          'u.created_at',
          'u.disabled_at',
          'o.name as org_name',
          'o.acl_enabled',
          'o.created_at as org_created_at',
        ]),
    );
    if (!row) return undefined;
    const { session_id, expires_at, org_name, acl_enabled, org_created_at, ...user } = row;
    return {
      sessionId: session_id,
      expiresAt: expires_at,
      user,
      organization: {
        id: user.organization_id,
        name: org_name,
        acl_enabled,
        created_at: org_created_at,
      },
    };
  }

  revokeSession(sessionId: string, at: string): Promise<unknown> {
    return this.db
      .updateTable('sessions')
      .set({ revoked_at: at })
      .where('id', '=', sessionId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  findThrottle(key: string): Promise<ThrottleRow | undefined> {
    return this.db
      .selectFrom('login_throttle')
      .selectAll()
      .where('key', '=', key)
      .executeTakeFirst();
  }

  saveThrottle(row: ThrottleRow): Promise<unknown> {
    return this.db
      .insertInto('login_throttle')
      .values(row)
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          failures: row.failures,
          window_started_at: row.window_started_at,
          locked_until: row.locked_until,
        }),
      )
      .execute();
  }

  clearThrottle(key: string): Promise<unknown> {
    return this.db.deleteFrom('login_throttle').where('key', '=', key).execute();
  }
}
