// How the state of an offline copy reads on screen: one place, so the documents screen, the
// patients screen and settings say it alike.
import type { OfflinePin, OfflineStatus } from '../../../../shared/ipc/contract.js';
import { formatCount } from '../../lib/format.js';

/**
 * "Downloading 2 of 5 documents…", "Available offline: 5 documents", or why it failed; '' when
 * nothing is kept offline.
 */
export function offlineCopyText(
  pin: OfflinePin | null,
  status: OfflineStatus | null,
  pending: boolean | undefined,
): string {
  if (pending === true && !pin) return 'Preparing the offline copy…';
  if (pending === false && pin) return 'Removing the offline copy…';
  if (!pin || !status) return '';
  const sync = status.sync;
  const available = `Available offline: ${formatCount(pin.documentsCached, 'document', 'documents')}`;
  const overLimit =
    sync.overLimit > 0
      ? ` · ${formatCount(sync.overLimit, 'pinned document does', 'pinned documents do')} not fit within the size limit`
      : '';
  switch (pin.state) {
    case 'waiting':
      return 'Waiting to download…';
    case 'syncing':
      return sync.documentsTotal > 0
        ? `Downloading ${Math.min(sync.documentsDone, sync.documentsTotal).toLocaleString()} of ${formatCount(sync.documentsTotal, 'document', 'documents')}…`
        : 'Downloading…';
    case 'ready':
      return `${available}${overLimit}`;
    case 'offline':
      return `${available} (not updated while offline)`;
    case 'failed':
      return `The offline copy could not be downloaded: ${sync.message ?? 'the server did not answer.'}`;
  }
}
