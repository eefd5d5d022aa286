// The app shell: product name and the companion API connection status, which main checks on the
// renderer's behalf (window.api.health) since the renderer itself opens no network connections.
import { useCallback, useEffect, useState } from 'react';
import type { ApiHealth } from '../../shared/ipc/contract.js';

type HealthView =
  | { state: 'checking' }
  | ApiHealth
  // Main could not be asked at all; the API's address is then unknown here.
  | { state: 'unreachable'; baseUrl?: undefined; reason: string };

export function App() {
  const [health, setHealth] = useState<HealthView>({ state: 'checking' });

  const check = useCallback(() => {
    setHealth({ state: 'checking' });
    window.api.health().then(setHealth, (error: unknown) =>
      setHealth({
        state: 'unreachable',
        reason: `the desktop app could not check it (${error instanceof Error ? error.message : String(error)})`,
      }),
    );
  }, []);

  useEffect(check, [check]);

  return (
    <main className="shell">
      <h1>Medaius Scan &amp; Records</h1>
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
    </main>
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
