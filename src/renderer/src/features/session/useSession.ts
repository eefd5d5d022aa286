// The session and secret-storage state as main reports them: asked for once, then kept current
// by main's events. The renderer never holds a token; signing in and out go through window.api.
import { useEffect, useState } from 'react';
import type { SecretStorageStatus, SessionState } from '../../../../shared/ipc/contract.js';

export type Loadable<T> =
  { state: 'loading' } | { state: 'ready'; value: T } | { state: 'failed'; reason: string };

export function useSession(): Loadable<SessionState> {
  const [session, setSession] = useState<Loadable<SessionState>>({ state: 'loading' });
  useEffect(() => {
    const unsubscribe = window.api.onSessionChanged((value) =>
      setSession({ state: 'ready', value }),
    );
    window.api.getSession().then(
      (value) => setSession({ state: 'ready', value }),
      (error: unknown) => setSession({ state: 'failed', reason: messageOf(error) }),
    );
    return unsubscribe;
  }, []);
  return session;
}

/** The warning to show about how the sign-in is stored on this computer, if any. */
export function useSecretWarning(): string | null {
  const [warning, setWarning] = useState<string | null>(null);
  useEffect(() => {
    const show = (status: SecretStorageStatus) => setWarning(status.warning);
    const unsubscribe = window.api.onSecretBackendWarning(show);
    window.api
      .getSecretStatus()
      .then(show, (error: unknown) =>
        setWarning(`The app could not say how your sign-in is stored (${messageOf(error)}).`),
      );
    return unsubscribe;
  }, []);
  return warning;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
