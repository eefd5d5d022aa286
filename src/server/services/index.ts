// Builds the server's services once, each given exactly what it depends on.
import type { Database } from '../db/database.js';
import type { Clock } from '../clock.js';
import { AccessService } from './access.js';
import { AuditService } from './audit.js';
import { AuthService, type ThrottlePolicy } from './auth.js';
import { DocumentService } from './documents.js';
import { PatientService } from './patients.js';

export interface Services {
  audit: AuditService;
  access: AccessService;
  auth: AuthService;
  patients: PatientService;
  documents: DocumentService;
}

export interface ServiceOptions {
  signingSecret: string;
  sessionTtlMs: number;
  clock: Clock;
  throttle?: { account: ThrottlePolicy; address: ThrottlePolicy };
}

export function createServices(database: Database, o: ServiceOptions): Services {
  const audit = new AuditService(database, o.signingSecret, o.clock);
  const access = new AccessService(database);
  return {
    audit,
    access,
    auth: new AuthService(database, audit, access, o.clock, o.sessionTtlMs, o.throttle),
    patients: new PatientService(database, access, audit),
    documents: new DocumentService(database, access, audit, o.clock),
  };
}
