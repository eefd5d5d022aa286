// Builds the server's services once, each given exactly what it depends on.
import type { FileLimits } from '../../shared-node/files/types.js';
import type { Database } from '../db/database.js';
import type { Clock } from '../clock.js';
import type { FileStorage } from '../storage/types.js';
import { AccessService } from './access.js';
import { AnnotationService } from './annotations.js';
import { AuditService } from './audit.js';
import { AuthService, type ThrottlePolicy } from './auth.js';
import { DocumentService } from './documents.js';
import { DocumentUrlService } from './document-urls.js';
import { DownloadService } from './downloads.js';
import { ActivityService } from './events.js';
import { FileInspector } from './files.js';
import { PatientService } from './patients.js';
import { ProfileService } from './profiles.js';
import { UploadService } from './uploads.js';

export interface Services {
  audit: AuditService;
  access: AccessService;
  auth: AuthService;
  patients: PatientService;
  documents: DocumentService;
  activity: ActivityService;
  uploads: UploadService;
  downloads: DownloadService;
  profiles: ProfileService;
  annotations: AnnotationService;
  documentUrls: DocumentUrlService;
}

export interface ServiceOptions {
  signingSecret: string;
  sessionTtlMs: number;
  clock: Clock;
  throttle?: { account: ThrottlePolicy; address: ThrottlePolicy };
  storage: FileStorage;
  /** how the documents' `url` field names a stored object, e.g. s3://bucket/key */
  storageUri: (key: string) => string;
  limits: FileLimits;
  /** private scratch space for checking files (never served) */
  tmpDir: string;
}

export function createServices(database: Database, o: ServiceOptions): Services {
  const audit = new AuditService(database, o.signingSecret, o.clock);
  const access = new AccessService(database);
  const activity = new ActivityService(database, o.clock);
  const documents = new DocumentService(database, access, audit, activity, o.clock);
  return {
    audit,
    access,
    activity,
    documents,
    auth: new AuthService(database, audit, access, o.clock, o.sessionTtlMs, o.throttle),
    patients: new PatientService(database, access, audit),
    uploads: new UploadService({
      database,
      storage: o.storage,
      inspector: new FileInspector(o.storage, o.limits, o.tmpDir),
      access,
      audit,
      documents,
      limits: o.limits,
      clock: o.clock,
      storageUri: o.storageUri,
    }),
    downloads: new DownloadService(database, o.storage, documents, audit, o.clock),
    profiles: new ProfileService(database, o.storage, access, audit, o.limits, o.tmpDir, o.clock),
    annotations: new AnnotationService(database, access, documents, audit, activity, o.clock),
    documentUrls: new DocumentUrlService(database, o.storage, access, audit, o.clock),
  };
}
