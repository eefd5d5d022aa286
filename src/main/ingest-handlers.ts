// The handlers of the ingest channels (src/shared/ipc/ingest.ts); merged into ./handlers.ts.
import type { INGEST_METHODS } from '../shared/ipc/channels.js';
import type { HandlerDependencies } from './handlers.js';
import type { IpcHandlers } from './ipc.js';

export type IngestChannel = keyof typeof INGEST_METHODS;

export function createIngestHandlers(deps: HandlerDependencies): Pick<IpcHandlers, IngestChannel> {
  void deps;
  return {};
}
