// The records channels and events of the IPC contract and the `window.api` function each is exposed
// as; merged into ./channels.ts. No zod here (the preload bundles this). Schemas: ./records.ts.
// Every records channel proxies the companion API through main's signed-in session, so the
// renderer never holds the token; it gets signed, short-lived URLs for file bytes.

export const PATIENTS_SEARCH = 'patients:search';
export const PATIENTS_GET = 'patients:get';
export const PATIENTS_ENCOUNTERS = 'patients:encounters';
export const DOCUMENTS_LIST = 'documents:list';
export const DOCUMENTS_THUMBNAILS = 'documents:thumbnails';
export const DOCUMENTS_GET = 'documents:get';
export const DOCUMENTS_UPDATE = 'documents:update';
export const DOCUMENTS_DELETE = 'documents:delete';
export const DOCUMENTS_RESTORE = 'documents:restore';
export const DOCUMENTS_OPEN = 'documents:open';
export const ANNOTATIONS_LIST = 'annotations:list';
export const ANNOTATIONS_CREATE = 'annotations:create';
export const ANNOTATIONS_UPDATE = 'annotations:update';
export const ANNOTATIONS_DELETE = 'annotations:delete';
export const ANNOTATIONS_EXPORT = 'annotations:export';

/** Request/response channels: renderer asks, main answers. */
export const RECORDS_METHODS = {
  [PATIENTS_SEARCH]: 'searchPatients',
  [PATIENTS_GET]: 'getPatient',
  [PATIENTS_ENCOUNTERS]: 'listEncounters',
  [DOCUMENTS_LIST]: 'listDocuments',
  [DOCUMENTS_THUMBNAILS]: 'getThumbnailUrls',
  [DOCUMENTS_GET]: 'getDocument',
  [DOCUMENTS_UPDATE]: 'updateDocument',
  [DOCUMENTS_DELETE]: 'deleteDocument',
  [DOCUMENTS_RESTORE]: 'restoreDocument',
  [DOCUMENTS_OPEN]: 'openDocument',
  [ANNOTATIONS_LIST]: 'listAnnotations',
  [ANNOTATIONS_CREATE]: 'createAnnotation',
  [ANNOTATIONS_UPDATE]: 'updateAnnotation',
  [ANNOTATIONS_DELETE]: 'deleteAnnotation',
  [ANNOTATIONS_EXPORT]: 'exportAnnotatedPdf',
} as const;

/** Events main pushes for this feature. */
export const RECORDS_EVENT_METHODS = {} as const;
