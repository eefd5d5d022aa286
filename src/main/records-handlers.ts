// The handlers of the records channels (src/shared/ipc/records.ts); merged into ./handlers.ts.
// Each proxies the companion API through the signed-in session (services/records).
import { homedir } from 'node:os';
import path from 'node:path';
import {
  ANNOTATIONS_CREATE,
  ANNOTATIONS_DELETE,
  ANNOTATIONS_EXPORT,
  ANNOTATIONS_LIST,
  ANNOTATIONS_UPDATE,
  DOCUMENTS_DELETE,
  DOCUMENTS_GET,
  DOCUMENTS_LIST,
  DOCUMENTS_OPEN,
  DOCUMENTS_RESTORE,
  DOCUMENTS_THUMBNAILS,
  DOCUMENTS_UPDATE,
  PATIENTS_ENCOUNTERS,
  PATIENTS_GET,
  PATIENTS_SEARCH,
  type RECORDS_METHODS,
} from '../shared/ipc/channels.js';
import type { HandlerDependencies } from './handlers.js';
import type { IpcHandlers } from './ipc.js';
import { RecordsService } from './services/records/records-service.js';

export type RecordsChannel = keyof typeof RECORDS_METHODS;

export function createRecordsHandlers(
  deps: HandlerDependencies,
): Pick<IpcHandlers, RecordsChannel> {
  const records = new RecordsService({
    session: deps.session,
    fetch: deps.fetch,
    // Electron passes the user's Downloads folder, the headless server a folder of its own.
    exportDir: deps.exportDir ?? path.join(homedir(), 'Downloads'),
    offline: deps.offline,
  });
  return {
    [PATIENTS_SEARCH]: (input) => records.searchPatients(input),
    [PATIENTS_GET]: (input) => records.getPatient(input),
    [PATIENTS_ENCOUNTERS]: (input) => records.listEncounters(input),
    [DOCUMENTS_LIST]: (input) => records.listDocuments(input),
    [DOCUMENTS_THUMBNAILS]: (input) => records.getThumbnailUrls(input),
    [DOCUMENTS_GET]: (input) => records.getDocument(input),
    [DOCUMENTS_UPDATE]: (input) => records.updateDocument(input),
    [DOCUMENTS_DELETE]: (input) => records.deleteDocument(input),
    [DOCUMENTS_RESTORE]: (input) => records.restoreDocument(input),
    [DOCUMENTS_OPEN]: (input) => records.openDocument(input),
    [ANNOTATIONS_LIST]: (input) => records.listAnnotations(input),
    [ANNOTATIONS_CREATE]: (input) => records.createAnnotation(input),
    [ANNOTATIONS_UPDATE]: (input) => records.updateAnnotation(input),
    [ANNOTATIONS_DELETE]: (input) => records.deleteAnnotation(input),
    [ANNOTATIONS_EXPORT]: (input) => records.exportAnnotatedPdf(input),
  };
}
