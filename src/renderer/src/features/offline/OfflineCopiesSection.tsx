// Settings → Offline copies: how much room each patient's offline copies take against the limit,
// bringing them up to date, removing them all, and — when pinned copies no longer fit — the
// user's consent to remove some of those.
import { useState } from 'react';
import { ConfirmDialog } from '../../lib/ConfirmDialog.js';
import { formatBytes, formatDateTime } from '../../lib/format.js';
import { useOfflineConnection } from './PinToggles.js';
import { patientPin, useOffline } from './store.js';
import './offline.css';

export function OfflineCopiesSection() {
  useOfflineConnection();
  const status = useOffline((s) => s.status);
  const loadError = useOffline((s) => s.loadError);
  const busy = useOffline((s) => s.busy);
  const taskError = useOffline((s) => s.taskError);
  const [confirming, setConfirming] = useState(false);

  const usage = status?.usage;
  return (
    <section className="card offline-copies" aria-labelledby="offline-copies-heading">
      <h2 id="offline-copies-heading">Offline copies</h2>
      {!status ? (
        <p className="muted">{loadError ?? 'Reading the offline copies…'}</p>
      ) : (
        <>
          {!status.available && (
            <p className="muted">{status.sync.message ?? 'The offline cache is not running.'}</p>
          )}
          {status.needsEvictionConsent && (
            <div role="alert" className="notice notice-warning">
              <p>
                Documents kept offline take more than the size limit
                {status.sync.overLimit > 0
                  ? `; ${status.sync.overLimit.toLocaleString()} could not be downloaded`
                  : ''}
                . Remove the least recently used pinned copies to fit, or raise the cache size.
              </p>
              <button
                type="button"
                disabled={busy !== null}
                onClick={() => void useOffline.getState().run('evict')}
              >
                Remove pinned copies to fit
              </button>
            </div>
          )}
          {usage && usage.patients.length > 0 ? (
            <table aria-label="Offline copies">
              <thead>
                <tr>
                  <th scope="col">Patient</th>
                  <th scope="col" className="number">
                    Documents
                  </th>
                  <th scope="col" className="number">
                    Size
                  </th>
                </tr>
              </thead>
              <tbody>
                {usage.patients.map((p) => (
                  <tr key={p.patientId}>
                    <th scope="row">
                      {p.name ??
                        patientPin(status, p.patientId)?.label ??
                        `Patient ${p.patientId.slice(0, 8)}`}
                      {p.mrn && p.name ? <span className="muted"> · MRN {p.mrn}</span> : null}
                      {p.pinnedBytes > 0 ? <span className="muted"> · pinned</span> : null}
                    </th>
                    <td className="number">{p.documents.toLocaleString()}</td>
                    <td className="number">{formatBytes(p.bytes)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">No offline copies on this computer.</p>
          )}
          {usage && (
            <p>
              {formatBytes(usage.usedBytes)} of {formatBytes(usage.limitBytes)} used
              {usage.pinnedBytes > 0 ? ` (${formatBytes(usage.pinnedBytes)} pinned)` : ''}.
            </p>
          )}
          <p className="muted">
            {status.sync.lastSyncedAt
              ? `Last brought up to date ${formatDateTime(status.sync.lastSyncedAt)}.`
              : 'Not brought up to date yet.'}
            {status.pendingAnnotations > 0
              ? ` ${status.pendingAnnotations.toLocaleString()} annotation change(s) made offline wait to be sent.`
              : ''}
            {status.maxAgeMs !== null
              ? ` Offline copies expire after ${Math.max(1, Math.round(status.maxAgeMs / 86_400_000)).toLocaleString()} day(s).`
              : ''}
          </p>
        </>
      )}
      <p role="status" className="muted">
        {busy === 'sync' ? 'Bringing the offline copies up to date…' : ''}
        {busy === 'evict' ? 'Removing pinned copies…' : ''}
      </p>
      {taskError && (
        <p role="alert" className="notice notice-error">
          {taskError}
        </p>
      )}
      <div className="button-row">
        <button
          type="button"
          disabled={busy !== null}
          onClick={() => void useOffline.getState().run('sync')}
        >
          Sync now
        </button>
        <button
          type="button"
          className="danger"
          disabled={busy !== null}
          onClick={() => setConfirming(true)}
        >
          Remove all offline copies
        </button>
      </div>
      {confirming && (
        <ConfirmDialog
          title="Remove all offline copies?"
          confirmLabel="Remove"
          busy={busy === 'wipe'}
          onCancel={() => setConfirming(false)}
          onConfirm={() =>
            void useOffline
              .getState()
              .run('wipe')
              .then(() => setConfirming(false))
          }
        >
          <p>
            Every document kept on this computer, pinned or not, is removed, and nothing stays
            available offline. Annotations made offline that are not sent yet are kept.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
