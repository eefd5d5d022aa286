// The ingest channels and events of the IPC contract and the `window.api` function each is exposed
// as; merged into ./channels.ts. No zod here (the preload bundles this). Schemas: ./ingest.ts.

export const INGEST_LIST = 'ingest:list';
export const INGEST_ADD_PATHS = 'ingest:add-paths';
export const INGEST_ADD_FILES = 'ingest:add-files';
export const INGEST_CANCEL = 'ingest:cancel';
export const INGEST_SCANNERS = 'ingest:scanners';
export const INGEST_SCANNER_CAPABILITIES = 'ingest:scanner-capabilities';
export const INGEST_SCAN = 'ingest:scan';
export const INGEST_ROTATE = 'ingest:rotate';
export const INGEST_REORDER = 'ingest:reorder';
export const INGEST_DELETE_PAGES = 'ingest:delete-pages';
export const INGEST_SPLIT = 'ingest:split';
export const INGEST_MERGE = 'ingest:merge';
export const INGEST_REMOVE = 'ingest:remove';
export const INGEST_FILE = 'ingest:file';
export const INGEST_THUMBNAIL = 'ingest:thumbnail';

/** Request/response channels: renderer asks, main answers. */
export const INGEST_METHODS = {
  [INGEST_LIST]: 'listInbox',
  [INGEST_ADD_PATHS]: 'ingestPaths',
  [INGEST_ADD_FILES]: 'ingestFiles',
  [INGEST_CANCEL]: 'cancelIngest',
  [INGEST_SCANNERS]: 'listScanners',
  [INGEST_SCANNER_CAPABILITIES]: 'getScannerCapabilities',
  [INGEST_SCAN]: 'scan',
  [INGEST_ROTATE]: 'rotatePages',
  [INGEST_REORDER]: 'reorderPages',
  [INGEST_DELETE_PAGES]: 'deletePages',
  [INGEST_SPLIT]: 'splitItem',
  [INGEST_MERGE]: 'mergeItems',
  [INGEST_REMOVE]: 'removeItem',
  [INGEST_FILE]: 'fileItems',
  [INGEST_THUMBNAIL]: 'getInboxThumbnail',
} as const;

export const INGEST_CHANGED = 'ingest:changed';
export const INGEST_SCAN_PAGE = 'ingest:scan-page';
export const INGEST_PROGRESS = 'ingest:progress';

/** Events main pushes for this feature. */
export const INGEST_EVENT_METHODS = {
  [INGEST_CHANGED]: 'onInboxChanged',
  [INGEST_SCAN_PAGE]: 'onScanPage',
  [INGEST_PROGRESS]: 'onIngestProgress',
} as const;
