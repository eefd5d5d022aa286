// The ingest service's public surface: what the shell wires to IPC and the upload engine uses.
export { openIngestService } from './service.js';
export type { IngestService, IngestServiceOptions } from './service.js';
export { IngestError, type IngestErrorCode } from './errors.js';
export type { IngestListener } from './events.js';
export type { Enqueue, Filed } from './filing.js';
export type { HotFolderOptions } from './hot-folder.js';
export type { IncomingFile } from './incoming.js';
export type { IsQueued } from './inbox.js';
export type { Turn } from './page-ops.js';
export type { ScanimageTool } from './scanimage.js';
export * from '../../../shared/ingest/model.js';
export * from '../../../shared/ingest/scanner.js';
