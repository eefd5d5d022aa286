// The handlers of the ingest channels (src/shared/ipc/ingest.ts); merged into ./handlers.ts. Each
// is one call of the ingest service that src/main/work.ts starts; inputs have passed the
// channel's schema already (paths absolute, ids UUIDs, bytes bounded per call).
import {
  INGEST_ADD_FILES,
  INGEST_ADD_PATHS,
  INGEST_CANCEL,
  INGEST_DELETE_PAGES,
  INGEST_FILE,
  INGEST_LIST,
  INGEST_MERGE,
  INGEST_REMOVE,
  INGEST_REORDER,
  INGEST_ROTATE,
  INGEST_SCAN,
  INGEST_SCANNER_CAPABILITIES,
  INGEST_SCANNERS,
  INGEST_SPLIT,
  INGEST_THUMBNAIL,
  type INGEST_METHODS,
} from '../shared/ipc/channels.js';
import type { HandlerDependencies } from './handlers.js';
import type { IpcHandlers } from './ipc.js';
import type { IngestService } from './services/ingest/index.js';

export type IngestChannel = keyof typeof INGEST_METHODS;

export function createIngestHandlers(deps: HandlerDependencies): Pick<IpcHandlers, IngestChannel> {
  const ingest = (): IngestService => {
    const service = deps.ingest();
    if (!service) throw new Error('The inbox is still opening. Try again in a moment.');
    return service;
  };
  return {
    [INGEST_LIST]: async () => ({ items: ingest().listItems() }),
    [INGEST_ADD_PATHS]: ({ paths, jobId }) =>
      ingest().ingestPaths(paths, { source: 'drop', jobId }),
    [INGEST_ADD_FILES]: ({ files, jobId }) =>
      ingest().ingestBytes(
        files.map((file) => ({ name: file.name, data: Buffer.from(file.data, 'base64') })),
        { jobId },
      ),
    [INGEST_CANCEL]: async ({ jobId }) => ({ cancelled: ingest().cancel(jobId) }),
    [INGEST_SCANNERS]: () => ingest().listScanners(),
    [INGEST_SCANNER_CAPABILITIES]: ({ deviceId }) => ingest().scannerCapabilities(deviceId),
    [INGEST_SCAN]: ({ jobId, ...request }) => ingest().scan(request, { jobId }),
    [INGEST_ROTATE]: ({ itemId, pageIds, turn }) => ingest().rotatePages(itemId, pageIds, turn),
    [INGEST_REORDER]: ({ itemId, pageIds }) => ingest().reorderPages(itemId, pageIds),
    [INGEST_DELETE_PAGES]: ({ itemId, pageIds }) => ingest().deletePages(itemId, pageIds),
    [INGEST_SPLIT]: ({ itemId, startPageIds }) => ingest().splitItem(itemId, startPageIds),
    [INGEST_MERGE]: ({ itemIds }) => ingest().mergeItems(itemIds),
    [INGEST_REMOVE]: async ({ itemId }) => {
      await ingest().removeItem(itemId);
      return undefined;
    },
    [INGEST_FILE]: async (request) => {
      const { batchId, entries } = await ingest().fileItems(request);
      // Entries come in the order of the request's items.
      return {
        batchId,
        filed: entries.map((entry, i) => ({
          itemId: request.items[i]!.itemId,
          fileName: entry.fileName,
          title: entry.title,
        })),
      };
    },
    [INGEST_THUMBNAIL]: async ({ sha256 }) => {
      const jpeg = await ingest().readThumbnail(sha256);
      return { dataUrl: `data:image/jpeg;base64,${jpeg.toString('base64')}` };
    },
  };
}
