// The window's status bar: whether the app can reach the server, how many uploads are still to
// go, and the way to the upload queue. Offline with work pending it says "Waiting for network":
// the queue sends it by itself once the network is back, so it is not an error.
import { useSession } from '../session/useSession.js';
import { useNavigation } from '../shell/navigation.js';
import { useUploads, type UploadSummary } from './store.js';
import { useUploadsConnection } from './useUploadsConnection.js';
import './uploads.css';

export function StatusBar() {
  useUploadsConnection();
  const queueSummary = useUploads((s) => s.summary);
  // The queue learns the network is gone only when it sends something; the session knows too
  // when any other request (a search, a document list) found the server unreachable.
  const sessionOffline = useSession((s) => s.session?.signedIn === true && s.session.offline);
  const summary =
    queueSummary && sessionOffline ? { ...queueSummary, online: false } : queueSummary;
  const loadError = useUploads((s) => s.loadError);

  return (
    <footer className="status-bar" aria-label="Status bar">
      <p role="status" className="status-bar-state">
        {summary ? (
          <>
            <span className={`status-bar-connection status-bar-${tone(summary)}`}>
              {connectionText(summary)}
            </span>
            <span className="status-bar-pending">{pendingText(summary.pending)}</span>
          </>
        ) : (
          <span className="status-bar-connection">{loadError ?? 'Checking uploads…'}</span>
        )}
      </p>
      <button
        type="button"
        className="status-bar-open"
        onClick={() => useNavigation.getState().go({ screen: 'uploads' })}
      >
        Upload queue
      </button>
    </footer>
  );
}

function tone(summary: UploadSummary): 'ok' | 'waiting' | 'offline' {
  if (!summary.online) return summary.pending > 0 ? 'waiting' : 'offline';
  return summary.pending > 0 && !summary.signedIn ? 'waiting' : 'ok';
}

/** "Waiting for network" exactly when offline with work to send: it goes by itself later. */
export function connectionText(summary: UploadSummary): string {
  if (!summary.online) return summary.pending > 0 ? 'Waiting for network' : 'Offline';
  if (summary.pending > 0 && !summary.signedIn) return 'Waiting for sign-in';
  return 'Online';
}

export function pendingText(pending: number): string {
  if (pending === 0) return 'No uploads pending';
  return `${pending} ${pending === 1 ? 'upload' : 'uploads'} pending`;
}
