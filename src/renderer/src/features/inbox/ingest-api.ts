// The window.api functions the inbox, the drop zone and the scan dialog call: the ingest
// channels, the records channels for finding the patient and encounter to file to, and
// pathForFile, which only the desktop app has.
import type { MedaiusApi } from '../../../../preload/api.js';

export type {
  ScanColour,
  ScannerCapabilities,
  ScannerDevice,
  ScanSource,
} from '../../../../shared/ingest/scanner.js';
export type { IngestProgress } from '../../../../shared/ipc/ingest.js';

export type Turn = Parameters<MedaiusApi['rotatePages']>[0]['turn'];

export type IngestApi = Pick<
  MedaiusApi,
  | 'listInbox'
  | 'ingestPaths'
  | 'ingestFiles'
  | 'cancelIngest'
  | 'listScanners'
  | 'getScannerCapabilities'
  | 'scan'
  | 'rotatePages'
  | 'reorderPages'
  | 'deletePages'
  | 'splitItem'
  | 'mergeItems'
  | 'removeItem'
  | 'fileItems'
  | 'getInboxThumbnail'
  | 'onInboxChanged'
  | 'onScanPage'
  | 'onIngestProgress'
  | 'pathForFile'
  | 'searchPatients'
  | 'listEncounters'
>;

export const ingestApi = (): IngestApi => window.api;
