// The upload queue: every file on its way to the server with its own progress, rate, time left
// and state, the whole queue's progress, and pause, resume, retry and cancel for one file or all.
import { useState } from 'react';
import type { UploadItem } from '../../../../shared/ipc/contract.js';
import { ConfirmDialog } from '../../lib/ConfirmDialog.js';
import { formatBytes } from '../../lib/format.js';
import { formatEta, formatRate, percentOf } from './format.js';
import { overallProgress, useUploads, type UploadAction } from './store.js';
import { useUploadsConnection } from './useUploadsConnection.js';
import './uploads.css';

const STATE_WORDS: Record<UploadItem['state'], string> = {
  queued: 'Queued',
  uploading: 'Uploading',
  paused: 'Paused',
  'waiting-for-network': 'Waiting for network',
  'waiting-for-sign-in': 'Waiting for sign-in',
  committing: 'Saving',
  failed: 'Failed',
  done: 'Done',
};

/** The words the queue shows for an item's state; a failure says why. */
export function stateText(item: UploadItem): string {
  if (item.state === 'failed') {
    return `Failed: ${item.error?.message ?? 'the server did not accept this file.'}`;
  }
  return STATE_WORDS[item.state];
}

export function UploadQueueScreen() {
  useUploadsConnection();
  const items = useUploads((s) => s.items);
  const status = useUploads((s) => s.status);
  const loadError = useUploads((s) => s.loadError);
  const actionError = useUploads((s) => s.actionError);
  const act = useUploads((s) => s.act);
  const overall = overallProgress(items);
  const has = (...states: UploadItem['state'][]) => items.some((i) => states.includes(i.state));
  const eta = formatEta(overall.etaSeconds);
  // Cancelling discards the filed document (its inbox item is gone), so it is asked first.
  const [cancelling, setCancelling] = useState<{ id?: string; name: string } | null>(null);
  const batchmates = cancelling?.id ? unfinishedBatchmates(items, cancelling.id) : 0;

  return (
    <section className="screen uploads" aria-labelledby="uploads-heading">
      <h1 id="uploads-heading">Upload queue</h1>
      {loadError && (
        <div role="alert" className="notice notice-error">
          {loadError}{' '}
          <button type="button" onClick={() => void useUploads.getState().load()}>
            Try again
          </button>
        </div>
      )}
      {actionError && (
        <p role="alert" className="notice notice-error">
          {actionError}
        </p>
      )}
      {status === 'loading' && items.length === 0 && <p className="muted">Loading the queue…</p>}
      {status === 'ready' && items.length === 0 && (
        <p className="muted">
          Nothing to upload. Filed documents appear here until they are saved.
        </p>
      )}
      {items.length > 0 && (
        <>
          <div className="uploads-overall">
            <ProgressBar
              label="Overall progress"
              done={overall.sent}
              total={overall.size}
              text={`${formatBytes(overall.sent)} of ${formatBytes(overall.size)}`}
            />
            <p className="uploads-overall-text">
              {[
                `${overall.done} of ${overall.total} done` +
                  (overall.failed > 0 ? `, ${overall.failed} failed` : ''),
                overall.rate > 0 ? formatRate(overall.rate) : null,
                eta,
              ]
                .filter(Boolean)
                .join(' · ')}
            </p>
            <div className="uploads-actions" role="group" aria-label="All uploads">
              <button
                type="button"
                onClick={() => void act('pause')}
                disabled={!has('queued', 'uploading', 'waiting-for-network', 'waiting-for-sign-in')}
              >
                Pause all
              </button>
              <button type="button" onClick={() => void act('resume')} disabled={!has('paused')}>
                Resume all
              </button>
              <button type="button" onClick={() => void act('retry')} disabled={!has('failed')}>
                Retry all failed
              </button>
              <button
                type="button"
                onClick={() => setCancelling({ name: 'all uploads' })}
                disabled={!items.some(cancellable)}
              >
                Cancel all
              </button>
            </div>
          </div>
          <ul className="uploads-list" aria-label="Uploads">
            {items.map((item) => (
              <UploadRow
                key={item.id}
                item={item}
                act={act}
                askCancel={() => setCancelling({ id: item.id, name: item.fileName })}
              />
            ))}
          </ul>
        </>
      )}
      {cancelling && (
        <ConfirmDialog
          title={cancelling.id ? `Stop uploading ${cancelling.name}?` : 'Stop all uploads?'}
          confirmLabel="Stop and discard"
          onCancel={() => setCancelling(null)}
          onConfirm={() => {
            setCancelling(null);
            void act('cancel', cancelling.id);
          }}
        >
          <p>
            {cancelling.id
              ? 'It will not be saved to the chart, and it is no longer in the inbox.'
              : 'Files not yet saved will not reach the chart, and they are no longer in the inbox. Finished files leave the list.'}
            {batchmates > 0 &&
              ` Its batch is saved whole or not at all, so the ${batchmates === 1 ? 'other file' : `other ${batchmates} files`} of the batch stop too.`}
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function cancellable(item: UploadItem): boolean {
  return item.state !== 'done' && item.state !== 'committing';
}

function unfinishedBatchmates(items: readonly UploadItem[], id: string): number {
  const batchId = items.find((i) => i.id === id)?.batchId;
  if (!batchId) return 0;
  return items.filter((i) => i.batchId === batchId && i.id !== id && cancellable(i)).length;
}

function UploadRow({
  item,
  act,
  askCancel,
}: {
  item: UploadItem;
  act: (action: UploadAction, id?: string) => Promise<void>;
  askCancel(): void;
}) {
  const sent = item.state === 'done' ? item.size : item.bytesSent;
  const eta = item.state === 'uploading' ? formatEta(item.etaSeconds) : null;
  const name = item.fileName;
  return (
    <li className={`upload upload-${item.state}`} aria-label={name}>
      <div className="upload-head">
        <span className="upload-name">{name}</span>
        <span className="upload-state">{stateText(item)}</span>
      </div>
      <ProgressBar
        label={`${name} progress`}
        done={sent}
        total={item.size}
        text={`${formatBytes(sent)} of ${formatBytes(item.size)}`}
      />
      <div className="upload-foot">
        <span className="muted">
          {[
            `${formatBytes(sent)} of ${formatBytes(item.size)}`,
            item.state === 'uploading' && item.rate > 0 ? formatRate(item.rate) : null,
            eta,
          ]
            .filter(Boolean)
            .join(' · ')}
        </span>
        <span className="upload-buttons">
          {['queued', 'uploading', 'waiting-for-network', 'waiting-for-sign-in'].includes(
            item.state,
          ) && (
            <button
              type="button"
              aria-label={`Pause ${name}`}
              onClick={() => void act('pause', item.id)}
            >
              Pause
            </button>
          )}
          {item.state === 'paused' && (
            <button
              type="button"
              aria-label={`Resume ${name}`}
              onClick={() => void act('resume', item.id)}
            >
              Resume
            </button>
          )}
          {item.state === 'failed' && (
            <button
              type="button"
              aria-label={`Retry ${name}`}
              onClick={() => void act('retry', item.id)}
            >
              Retry
            </button>
          )}
          {cancellable(item) && (
            <button type="button" aria-label={`Cancel ${name}`} onClick={askCancel}>
              Cancel
            </button>
          )}
          {item.state === 'done' && (
            <button
              type="button"
              aria-label={`Remove ${name} from the list`}
              onClick={() => void act('cancel', item.id)}
            >
              Remove
            </button>
          )}
        </span>
      </div>
    </li>
  );
}

function ProgressBar({
  label,
  done,
  total,
  text,
}: {
  label: string;
  done: number;
  total: number;
  text: string;
}) {
  const percent = percentOf(done, total);
  return (
    <div
      className="transfer-progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      aria-valuetext={`${percent}% (${text})`}
    >
      <div className="transfer-progress-fill" style={{ width: `${percent}%` }} />
    </div>
  );
}
