// Mounted once in the shell: when an annotation changed offline met a change on the server, both
// versions are shown side by side and the user keeps one; neither is dropped without asking.
import { useId, useRef } from 'react';
import { useModalFocus } from '../../lib/modal.js';
import type { Annotation } from '../../../../shared/api/annotations.js';
import type {
  AnnotationConflictItem,
  MyAnnotationChange,
} from '../../../../shared/ipc/contract.js';
import { formatDateTime } from '../../lib/format.js';
import { useSession } from '../session/useSession.js';
import { useOfflineConnection } from './PinToggles.js';
import { useOffline } from './store.js';
import './offline.css';

export function ConflictDialog() {
  useOfflineConnection();
  const conflicts = useOffline((s) => s.conflicts);
  const conflict = conflicts[0];
  if (!conflict) return null;
  return <ConflictQuestion key={conflict.id} conflict={conflict} count={conflicts.length} />;
}

function ConflictQuestion({
  conflict,
  count,
}: {
  conflict: AnnotationConflictItem;
  count: number;
}) {
  const titleId = useId();
  const dialogRef = useRef<HTMLDivElement>(null);
  const myName = useSession((s) => (s.session?.signedIn ? s.session.user.name : 'You'));
  const resolving = useOffline((s) => s.resolving);
  const resolveError = useOffline((s) => s.resolveError);

  const keepTabInside = useModalFocus(dialogRef);

  const resolve = (keep: 'mine' | 'theirs') =>
    void useOffline.getState().resolve(conflict.id, keep);

  return (
    <div className="modal-backdrop">
      <div
        ref={dialogRef}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        className="modal card conflict-dialog"
        tabIndex={-1}
        onKeyDown={keepTabInside}
      >
        <h2 id={titleId}>An annotation changed on the server</h2>
        <p>
          {reasonText(conflict)}
          {count > 1 ? ` (1 of ${count.toLocaleString()} to decide)` : ''}
        </p>
        <div className="conflict-versions">
          <section aria-label="Mine">
            <h3>Yours, made offline</h3>
            <MineVersion mine={conflict.mine} author={myName} at={conflict.madeAt} />
          </section>
          <section aria-label="Theirs">
            <h3>On the server</h3>
            <TheirsVersion theirs={conflict.theirs} />
          </section>
        </div>
        {resolveError && (
          <p role="alert" className="notice notice-error">
            {resolveError}
          </p>
        )}
        <div className="button-row">
          <button type="button" disabled={resolving !== null} onClick={() => resolve('mine')}>
            Keep mine
          </button>
          <button type="button" disabled={resolving !== null} onClick={() => resolve('theirs')}>
            Keep theirs
          </button>
        </div>
      </div>
    </div>
  );
}

function reasonText(conflict: AnnotationConflictItem): string {
  switch (conflict.reason) {
    case 'changed-on-server':
      return 'You changed this annotation while offline, and someone changed it on the server meanwhile. Choose the version to keep.';
    case 'deleted-on-server':
      return 'You changed this annotation while offline, and it was deleted on the server meanwhile. Choose the version to keep.';
    case 'refused':
      return `The server did not accept your offline change: ${conflict.message}`;
  }
}

const TYPE_LABELS: Record<string, string> = {
  marker: 'Marker',
  freehand: 'Freehand drawing',
  text: 'Text note',
  highlight: 'Highlight',
};

function contentWords(content: Annotation['content'] | undefined): string {
  if (!content) return '—';
  if ('text' in content) return content.text;
  if ('label' in content) return content.label || '(no label)';
  if ('points' in content) return `${content.points.length.toLocaleString()} points`;
  return 'Highlighted area';
}

function MineVersion({
  mine,
  author,
  at,
}: {
  mine: MyAnnotationChange;
  author: string;
  at: string;
}) {
  return (
    <dl>
      <dt>Type</dt>
      <dd>
        {mine.action === 'delete'
          ? 'Deleted'
          : `${TYPE_LABELS[mine.type] ?? mine.type}${mine.action === 'create' ? ' (new)' : ''}`}
      </dd>
      <dt>Text</dt>
      <dd>
        {mine.action === 'delete' ? 'You deleted this annotation.' : contentWords(mine.content)}
      </dd>
      <dt>Author</dt>
      <dd>{author}</dd>
      <dt>Time</dt>
      <dd>{formatDateTime(at)}</dd>
    </dl>
  );
}

function TheirsVersion({ theirs }: { theirs: Annotation | null }) {
  if (!theirs) return <p>Deleted on the server.</p>;
  return (
    <dl>
      <dt>Type</dt>
      <dd>{TYPE_LABELS[theirs.type] ?? theirs.type}</dd>
      <dt>Text</dt>
      <dd>{contentWords(theirs.content)}</dd>
      <dt>Author</dt>
      <dd>{theirs.createdByName}</dd>
      <dt>Time</dt>
      <dd>{formatDateTime(theirs.updatedAt)}</dd>
    </dl>
  );
}
