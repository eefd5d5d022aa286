// The handlers of the records channels (src/shared/ipc/records.ts); merged into ./handlers.ts.
import type { RECORDS_METHODS } from '../shared/ipc/channels.js';
import type { HandlerDependencies } from './handlers.js';
import type { IpcHandlers } from './ipc.js';

export type RecordsChannel = keyof typeof RECORDS_METHODS;

export function createRecordsHandlers(
  deps: HandlerDependencies,
): Pick<IpcHandlers, RecordsChannel> {
  void deps;
  return {};
}
