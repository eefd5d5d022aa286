// The window's top level: reads the sign-in from main and shows either the sign-in screen or the
// app. Losing the session (expired, signed out elsewhere) shows the sign-in screen again without
// touching the other stores or main's queue, so the user comes back to where they were.
import { useEffect } from 'react';
import { SecretWarning } from './features/session/SecretWarning.js';
import { SignInScreen } from './features/session/SignInScreen.js';
import { useSession } from './features/session/useSession.js';
import { Shell } from './features/shell/Shell.js';
import { forgetPreviousUserOnChange } from './features/shell/forget-previous-user.js';

export function App() {
  const status = useSession((s) => s.status);
  const session = useSession((s) => s.session);
  const loadError = useSession((s) => s.loadError);

  useEffect(() => {
    const stopForgetting = forgetPreviousUserOnChange();
    const stopSession = useSession.getState().start();
    return () => {
      stopSession();
      stopForgetting();
    };
  }, []);

  return (
    <>
      {!session?.signedIn && <SecretWarning />}
      {status === 'loading' && (
        <p role="status" className="loading-page">
          Loading…
        </p>
      )}
      {status === 'failed' && (
        <main className="sign-in">
          <div role="alert" className="notice notice-error">
            The app could not say whether you are signed in: {loadError}
          </div>
          <button type="button" onClick={() => window.location.reload()}>
            Try again
          </button>
        </main>
      )}
      {session &&
        (session.signedIn ? <Shell session={session} /> : <SignInScreen session={session} />)}
    </>
  );
}
