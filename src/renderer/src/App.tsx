// The app shell: product name, the sign-in (or who is signed in), a warning when the sign-in is
// not protected by the system keyring, and the companion API connection status. Main does all of
// it on the renderer's behalf (window.api): the renderer itself opens no network connections.
import { useCallback, useEffect, useState } from 'react';
import type { ApiHealth } from '../../shared/ipc/contract.js';
import { SessionSummary } from './features/session/SessionSummary.js';
import { SignInForm } from './features/session/SignInForm.js';
import { messageOf, useSecretWarning, useSession } from './features/session/useSession.js';

type HealthView =
  | { state: 'checking' }
  | ApiHealth
  // Main could not be asked at all; the API's address is then unknown here.
  | { state: 'unreachable'; baseUrl?: undefined; reason: string };

export function App() {
  const session = useSession();
  const secretWarning = useSecretWarning();

  return (
    <main className="shell">
      <h1>Medaius Scan &amp; Records</h1>
      {secretWarning && (
        <p role="alert" className="notice notice-warning">
          {secretWarning}
        </p>
      )}
      {session.state === 'loading' && <p className="muted">Loading…</p>}
      {session.state === 'failed' && (
        <p role="alert" className="notice notice-error">
          The app could not say whether you are signed in: {session.reason}
        </p>
      )}
      {session.state === 'ready' &&
        (session.value.signedIn ? (
          <SessionSummary session={session.value} />
        ) : (
          <SignInForm session={session.value} />
        ))}
      <ApiHealthCard />
    </main>
  );
}

function ApiHealthCard() {
  const [health, setHealth] = useState<HealthView>({ state: 'checking' });

  const check = useCallback(() => {
    setHealth({ state: 'checking' });
    window.api.health().then(setHealth, (error: unknown) =>
      setHealth({
        state: 'unreachable',
        reason: `the desktop app could not check it (${messageOf(error)})`,
      }),
    );
  }, []);

  useEffect(check, [check]);

  return (
    <section className="card" aria-labelledby="api-heading">
      <h2 id="api-heading">Companion API</h2>
      <p role="status" className={`status status-${health.state}`}>
        <StatusText health={health} />
      </p>
      {health.state === 'unreachable' && (
        <button type="button" onClick={check}>
          Try again
        </button>
      )}
    </section>
  );
}

function StatusText({ health }: { health: HealthView }) {
  switch (health.state) {
    case 'checking':
      return <>Checking the connection…</>;
    case 'connected':
      return (
        <>
          Connected to {health.baseUrl} (version {health.version}).
        </>
      );
    case 'unreachable':
      return (
        <>
          Cannot reach the companion API{health.baseUrl ? ` at ${health.baseUrl}` : ''}:{' '}
          {health.reason}. Check that it is running and reachable from this computer, then try
          again.
        </>
      );
  }
}
