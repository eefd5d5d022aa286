// A small clinic world on a real database behind the real Fastify app: two organizations,
// one user per role in each, patients, encounters and documents of every category.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { CATEGORIES, ROLES, type Category, type Role } from '../../src/shared/domain.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { composeServer } from '../../src/server/compose.js';
import { loadConfig } from '../../src/server/config.js';
import type { Dialect } from '../../src/server/db/database.js';
import type { Services } from '../../src/server/services/index.js';
import type { FileStorage } from '../../src/server/storage/types.js';
import type { DEFAULT_THROTTLE } from '../../src/server/services/auth.js';
import { hashPassword } from '../../src/server/services/auth.js';
import { UserRepository } from '../../src/server/repositories/users.js';
import { PatientRepository } from '../../src/server/repositories/patients.js';
import { DocumentRepository, type DocumentRow } from '../../src/server/repositories/documents.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export const PASSWORD = 'correct horse battery staple';

export interface TestOrg {
  id: string;
  name: string;
  users: Record<Role, { id: string; email: string }>;
  patients: string[];
  encounters: Record<string, string[]>;
  /** documents of the first patient, one per category */
  documents: Record<Category, string>;
}

export class ManualClock {
  // Starts at the real time: real S3 servers check presigned URLs against their own clock.
  constructor(public now = new Date()) {}
  readonly clock = () => new Date(this.now);
  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }
}

export interface World {
  dialect: Dialect;
  database: TestDatabase;
  services: Services;
  storage: FileStorage;
  app: FastifyInstance;
  /** base URL when listening */
  url(): string;
  time: ManualClock;
  a: TestOrg;
  b: TestOrg;
  login(email: string, address?: string): Promise<string>;
  call(
    token: string | null,
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
  ): Promise<LightMyRequestResponse>;
  addDocument(
    org: TestOrg,
    patientId: string,
    overrides?: Partial<DocumentRow>,
  ): Promise<DocumentRow>;
  close(): Promise<void>;
}

let passwordHash: Promise<string> | undefined;

export interface WorldOptions {
  throttle?: typeof DEFAULT_THROTTLE;
  /** extra server environment, e.g. STORAGE_TYPE=s3 with the S3_* settings */
  env?: Record<string, string>;
  /** listen on a real port, for URLs fetched over HTTP */
  listen?: boolean;
  /** SQLite reader threads, as the server has by default on a machine with several cores */
  readThreads?: number;
}

export async function createWorld(dialect: Dialect, options: WorldOptions = {}): Promise<World> {
  const database = await createTestDatabase(dialect, { readThreads: options.readThreads });
  const time = new ManualClock();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'medaius-world-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    SIGNING_SECRET: 'test-signing-secret-of-at-least-32-chars',
    SESSION_TTL_HOURS: '8',
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const { app, services, storage, setBaseUrl } = await composeServer(config, database, {
    clock: time.clock,
    throttle: options.throttle,
  });
  if (options.listen) {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    setBaseUrl(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
  }
  passwordHash ??= hashPassword(PASSWORD);
  const hash = await passwordHash;

  const addDocument = async (
    org: TestOrg,
    patientId: string,
    overrides: Partial<DocumentRow> = {},
  ) => {
    const id = randomUUID();
    const createdAt = time.clock().toISOString();
    const row: DocumentRow = {
      id,
      organization_id: org.id,
      patient_id: patientId,
      encounter_id: null,
      title: 'Scanned document',
      category: 'other',
      content_type: 'application/pdf',
      url: `local://${org.id}/${patientId}/documents/2026/11/${id}.pdf`,
      file_size: 1234,
      sha256: 'a'.repeat(64),
      thumbnail_url: null,
      status: 'current',
      document_date: createdAt.slice(0, 10),
      source: 'desktop',
      created_by: org.users.admin.id,
      created_at: createdAt,
      updated_at: createdAt,
      deleted_at: null,
      deleted_by: null,
      storage_key: `${org.id}/${patientId}/documents/2026/11/${id}.pdf`,
      thumbnail_key: null,
      thumbnail_status: 'none',
      file_name: 'scan.pdf',
      ...overrides,
    };
    await new DocumentRepository(database.db).insert(row);
    return row;
  };

  const makeOrg = async (label: string): Promise<TestOrg> => {
    const users = new UserRepository(database.db);
    const patients = new PatientRepository(database.db);
    const id = randomUUID();
    const now = time.clock().toISOString();
    await users.insertOrganization({
      id,
      name: `${label} Clinic`,
      acl_enabled: 0,
      created_at: now,
    });
    const orgUsers = {} as TestOrg['users'];
    for (const role of ROLES) {
      const user = { id: randomUUID(), email: `${role}@${label}.test` };
      await users.insertUser({
        ...user,
        organization_id: id,
        name: `${label} ${role}`,
        role,
        password_hash: hash,
        created_at: now,
        disabled_at: null,
      });
      orgUsers[role] = user;
    }
    const org: TestOrg = {
      id,
      name: `${label} Clinic`,
      users: orgUsers,
      patients: [],
      encounters: {},
      documents: {} as TestOrg['documents'],
    };
    const names = [
      ['Ada', 'Lovelace'],
      ['Alan', 'Turing'],
      ['Grace', 'Hopper'],
    ] as const;
    for (const [i, [given, family]] of names.entries()) {
      const patientId = randomUUID();
      await patients.insertPatient({
        id: patientId,
        organization_id: id,
        mrn: `${label.toUpperCase()}-${i + 1}`,
        given_name: given,
        family_name: family,
        search_name: `${family} ${given}`.toLowerCase(),
        birth_date: '1980-01-01',
        sex: null,
        created_at: now,
      });
      org.patients.push(patientId);
      org.encounters[patientId] = [];
      for (let e = 0; e < 2; e++) {
        const encounterId = randomUUID();
        await patients.insertEncounter({
          id: encounterId,
          organization_id: id,
          patient_id: patientId,
          started_at: new Date(Date.parse(now) - (e + 1) * 86400_000).toISOString(),
          type: 'office visit',
          reason: null,
          status: 'finished',
        });
        org.encounters[patientId]!.push(encounterId);
      }
    }
    for (const category of CATEGORIES) {
      const doc = await addDocument(org, org.patients[0]!, {
        category,
        title: `${category} report`,
      });
      org.documents[category] = doc.id;
    }
    return org;
  };

  const a = await makeOrg('alpha');
  const b = await makeOrg('beta');

  const call: World['call'] = (token, method, url, body) =>
    app.inject({
      method,
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(body === undefined ? {} : { payload: body as InjectOptions['payload'] }),
    });

  const login = async (email: string, address = '10.0.0.1') => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: PASSWORD },
      remoteAddress: address,
      headers: { 'user-agent': 'vitest' },
    });
    if (res.statusCode !== 200) throw new Error(`login ${email} failed: ${res.body}`);
    return res.json<{ token: string }>().token;
  };

  return {
    dialect,
    database,
    services,
    storage,
    app,
    url: () => {
      const address = app.server.address();
      return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    },
    time,
    a,
    b,
    login,
    call,
    addDocument,
    close: async () => {
      await app.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
