// Row types of every table, as Kysely sees them. Times are ISO-8601 UTC text
// (fixed width, so they sort as text), dates YYYY-MM-DD, ids UUID text, flags 0/1.
import type { Category, DocumentSource, DocumentStatus, Role } from '../../shared/domain.js';

export interface OrganizationTable {
  id: string;
  name: string;
  acl_enabled: number;
  created_at: string;
}

export interface UserTable {
  id: string;
  organization_id: string;
  email: string;
  name: string;
  role: Role;
  password_hash: string;
  created_at: string;
  disabled_at: string | null;
}

export interface SessionTable {
  id: string;
  token_hash: string;
  user_id: string;
  organization_id: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  client_address: string | null;
  user_agent: string | null;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  window_started_at: string;
  locked_until: string | null;
}

export interface PatientTable {
  id: string;
  organization_id: string;
  mrn: string;
  given_name: string;
  family_name: string;
  /** lower-cased "family given" for case-insensitive prefix search */
  search_name: string;
  birth_date: string | null;
  sex: string | null;
  created_at: string;
}

export interface EncounterTable {
  id: string;
  organization_id: string;
  patient_id: string;
  started_at: string;
  type: string;
  reason: string | null;
  status: string;
}

export interface PatientAccessTable {
  organization_id: string;
  patient_id: string;
  user_id: string;
  granted_by: string;
  granted_at: string;
}

export interface CategoryPolicyTable {
  organization_id: string;
  role: Role;
  category: Category;
  can_read: number;
  can_write: number;
}

export interface DocumentReferenceTable {
  id: string;
  organization_id: string;
  patient_id: string;
  encounter_id: string | null;
  title: string;
  category: Category;
  content_type: string;
  url: string;
  file_size: number;
  sha256: string;
  thumbnail_url: string | null;
  status: DocumentStatus;
  document_date: string;
  source: DocumentSource;
  created_by: string;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  deleted_by: string | null;
  storage_key: string;
  thumbnail_key: string | null;
  thumbnail_status: ThumbnailState;
  /** the name the file arrived with, checked by checkFileName; used for downloads */
  file_name: string;
}

/** `none` for documents made before thumbnails existed. */
export type ThumbnailState = 'ready' | 'unsupported' | 'failed' | 'none';

export type UploadStatus = 'pending' | 'verifying' | 'completed' | 'failed' | 'aborted' | 'expired';

export interface UploadTable {
  id: string;
  organization_id: string;
  created_by: string;
  patient_id: string;
  encounter_id: string | null;
  category: Category;
  title: string;
  file_name: string;
  content_type: string;
  size: number;
  sha256: string;
  document_date: string | null;
  batch_id: string | null;
  source: DocumentSource;
  storage_key: string;
  storage_upload_id: string;
  part_size: number;
  part_count: number;
  status: UploadStatus;
  error: string | null;
  thumbnail_key: string | null;
  thumbnail_status: ThumbnailState | null;
  document_id: string | null;
  created_at: string;
  updated_at: string;
  expires_at: string;
}

export interface BatchTable {
  id: string;
  organization_id: string;
  committed_by: string;
  status: 'committed' | 'failed';
  /** the commit's answer as JSON, so a repeated commit answers the same */
  result: string;
  committed_at: string;
}

export interface ActivityEventTable {
  organization_id: string;
  seq: number;
  id: string;
  type: string;
  entity_type: string;
  entity_id: string;
  patient_id: string | null;
  actor_id: string | null;
  payload: string;
  occurred_at: string;
}

export interface ActivityHeadTable {
  organization_id: string;
  seq: number;
}

export interface ProfileImageTable {
  organization_id: string;
  owner_type: 'patient' | 'practitioner';
  owner_id: string;
  image_key: string;
  avatar_key: string;
  updated_by: string;
  updated_at: string;
}

export interface DocumentAnnotationTable {
  id: string;
  organization_id: string;
  document_id: string;
  type: string;
  content: string;
  page_number: number;
  version: number;
  created_by: string;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export interface AuditEventTable {
  id: string;
  /** organization id, or "system" for events that belong to no organization */
  chain: string;
  seq: number;
  organization_id: string | null;
  user_id: string | null;
  action: string;
  entity_type: string | null;
  entity_id: string | null;
  patient_id: string | null;
  outcome: 'success' | 'failure';
  occurred_at: string;
  client_address: string | null;
  user_agent: string | null;
  details: string | null;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadTable {
  chain: string;
  seq: number;
  hash: string;
}

export interface DB {
  organizations: OrganizationTable;
  users: UserTable;
  sessions: SessionTable;
  login_throttle: LoginThrottleTable;
  patients: PatientTable;
  encounters: EncounterTable;
  patient_access: PatientAccessTable;
  category_policies: CategoryPolicyTable;
  document_references: DocumentReferenceTable;
  document_annotations: DocumentAnnotationTable;
  audit_events: AuditEventTable;
  audit_heads: AuditHeadTable;
  uploads: UploadTable;
  batches: BatchTable;
  activity_events: ActivityEventTable;
  activity_heads: ActivityHeadTable;
  profile_images: ProfileImageTable;
}
