// The sign-in screen: e-mail and password for the server in Settings, with main's message when
// the sign-in fails or a session has ended.
import { useState, type FormEvent } from 'react';
import type { SignedOutState } from '../../../../shared/ipc/contract.js';
import { messageOf } from './useSession.js';

export function SignInForm({ session }: { session: SignedOutState }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    window.api
      .signIn({ email, password })
      .then(
        (result) => {
          if (!result.ok) setFailure(result.message);
          else setPassword('');
        },
        (error: unknown) => setFailure(messageOf(error)),
      )
      .finally(() => setBusy(false));
  };

  // A failed attempt says more than why the last session ended.
  const notice = failure ?? session.message;
  return (
    <section className="card" aria-labelledby="sign-in-heading">
      <h2 id="sign-in-heading">Sign in</h2>
      <p className="muted">to {session.serverUrl}</p>
      {notice && (
        <p role="alert" className="notice notice-error">
          {notice}
        </p>
      )}
      <form onSubmit={submit} className="form">
        <label>
          E-mail address
          <input
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </section>
  );
}
