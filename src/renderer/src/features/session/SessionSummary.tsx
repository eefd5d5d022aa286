// Who is signed in, to which server, whether it can be reached, and the way to sign out.
import { useState } from 'react';
import type { SignedInState } from '../../../../shared/ipc/contract.js';
import { messageOf } from './useSession.js';

export function SessionSummary({ session }: { session: SignedInState }) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const signOut = () => {
    setBusy(true);
    setFailure(null);
    window.api
      .signOut()
      .catch((error: unknown) => setFailure(messageOf(error)))
      .finally(() => setBusy(false));
  };

  return (
    <section className="card" aria-labelledby="session-heading">
      <h2 id="session-heading">Signed in</h2>
      <p>
        {session.user.name} ({session.user.email}), {session.user.organization.name}, at{' '}
        {session.serverUrl}
      </p>
      {session.offline && (
        <p role="status" className="notice">
          {session.message ?? 'Offline: queued work is sent once the server answers again.'}
        </p>
      )}
      {failure && (
        <p role="alert" className="notice notice-error">
          {failure}
        </p>
      )}
      <button type="button" onClick={signOut} disabled={busy}>
        {busy ? 'Signing out…' : 'Sign out'}
      </button>
    </section>
  );
}
