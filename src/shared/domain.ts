// The clinic domain's fixed vocabularies: document categories, user roles, document statuses
// and document sources. One definition used by the UI, the API, policy and FHIR mapping.

export const CATEGORIES = [
  'lab',
  'imaging',
  'clinical-note',
  'consent',
  'referral',
  'insurance',
  'photo',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const ROLES = ['admin', 'clinician', 'front-desk', 'billing'] as const;
export type Role = (typeof ROLES)[number];

/** FHIR DocumentReference.status; soft deletion is tracked separately (deleted_at). */
export const DOCUMENT_STATUSES = ['current', 'superseded', 'entered-in-error'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

export const DOCUMENT_SOURCES = [
  'desktop',
  'scanner',
  'hot-folder',
  'portal',
  'fax',
  'integration',
  'api',
] as const;
export type DocumentSource = (typeof DOCUMENT_SOURCES)[number];

export interface CategoryPermission {
  read: boolean;
  write: boolean;
}

const ALL: CategoryPermission = { read: true, write: true };

/**
 * Default category policy per role. An organization may override single cells in its
 * category_policies table; everything it does not override falls back to this.
 */
export function defaultCategoryPermission(role: Role, category: Category): CategoryPermission {
  switch (role) {
    case 'admin':
    case 'clinician':
      return ALL;
    case 'front-desk':
      return {
        read: ['insurance', 'consent', 'referral', 'other'].includes(category),
        write: true,
      };
    case 'billing':
      return { read: category === 'insurance', write: category === 'insurance' };
  }
}
