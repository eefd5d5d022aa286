// The nav bar's Sign out. When records are kept on this computer for offline use, it first asks
// whether to remove them; otherwise it signs out at once.
import { useId, useRef, useState } from 'react';
import { useModalFocus } from '../../lib/modal.js';
import { useSession } from '../session/useSession.js';
import { useOfflineConnection } from './PinToggles.js';
import { hasCachedCopies, useOffline } from './store.js';

export function SignOutButton() {
  useOfflineConnection();
  const signingOut = useSession((s) => s.signingOut);
  const [asking, setAsking] = useState(false);

  const start = () => {
    if (hasCachedCopies(useOffline.getState().status)) setAsking(true);
    else void useSession.getState().signOut();
  };

  return (
    <>
      <button type="button" onClick={start} disabled={signingOut}>
        Sign out
      </button>
      {asking && <SignOutQuestion onClose={() => setAsking(false)} />}
    </>
  );
}

function SignOutQuestion({ onClose }: { onClose(): void }) {
  const titleId = useId();
  const bodyId = useId();
  const dialogRef = useRef<HTMLDivElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const wiping = useOffline((s) => s.busy === 'wipe');
  const taskError = useOffline((s) => s.taskError);
  const signingOut = useSession((s) => s.signingOut);
  const [wipeFailed, setWipeFailed] = useState(false);
  const busy = wiping || signingOut;

  const onKeyDown = useModalFocus(dialogRef, cancelRef, onClose);

  const signOut = () => {
    onClose();
    void useSession.getState().signOut();
  };
  const removeAndSignOut = async () => {
    setWipeFailed(false);
    if (await useOffline.getState().run('wipe')) signOut();
    else setWipeFailed(true);
  };

  return (
    <div className="modal-backdrop">
      <div
        ref={dialogRef}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={bodyId}
        className="modal card"
        onKeyDown={onKeyDown}
      >
        <h2 id={titleId}>Remove offline copies from this computer?</h2>
        <div id={bodyId}>
          <p>
            Patient records are kept on this computer for offline use (encrypted). Remove them if
            someone else uses this computer; keep them to work offline after signing in again.
          </p>
          {wipeFailed && taskError && (
            <p role="alert" className="notice notice-error">
              {taskError} You are still signed in.
            </p>
          )}
        </div>
        <div className="button-row">
          <button ref={cancelRef} type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" onClick={signOut} disabled={busy}>
            Sign out and keep
          </button>
          <button
            type="button"
            className="danger"
            onClick={() => void removeAndSignOut()}
            disabled={busy}
          >
            Sign out and remove
          </button>
        </div>
      </div>
    </div>
  );
}
