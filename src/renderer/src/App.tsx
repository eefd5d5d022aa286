// The app shell: product name and the companion API connection status.
import { useCallback, useEffect, useState } from 'react';
import { checkApiHealth, type ApiHealth } from './lib/health.js';

export function App() {
  const [health, setHealth] = useState<ApiHealth>({ state: 'checking' });

  const check = useCallback(() => {
    setHealth({ state: 'checking' });
    void checkApiHealth(() => window.api.getApiBaseUrl()).then(setHealth);
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

function StatusText({ health }: { health: ApiHealth }) {
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
