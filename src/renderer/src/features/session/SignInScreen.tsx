// Connect and sign in: the server's address, e-mail and password. A failure says what went wrong
// in main's words and puts the cursor where the fix is: the password after a wrong one, the server
// address when the server cannot be reached or the address is not a URL.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { SignedOutState } from '../../../../shared/ipc/contract.js';
import { useSession, type SignInFailure } from './useSession.js';

const TITLES: Record<SignInFailure['code'], string> = {
  invalid_credentials: 'Wrong e-mail address or password',
  login_throttled: 'Too many attempts',
  server_unreachable: 'Server unreachable',
  invalid_server_url: 'Check the server address',
  missing_credentials: 'Missing sign-in details',
  already_signed_in: 'Already signed in',
  sign_in_failed: 'Sign-in refused',
  error: 'Sign-in failed',
};

export function SignInScreen({ session }: { session: SignedOutState }) {
  const signIn = useSession((s) => s.signIn);
  const signingIn = useSession((s) => s.signingIn);
  const failure = useSession((s) => s.signInFailure);
  const [serverUrl, setServerUrl] = useState(session.serverUrl);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const serverRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  useEffect(() => setServerUrl(session.serverUrl), [session.serverUrl]);

  useEffect(() => {
    if (!failure) return;
    const serverProblem =
      failure.code === 'server_unreachable' || failure.code === 'invalid_server_url';
    (serverProblem ? serverRef : passwordRef).current?.focus();
    if (failure.code === 'invalid_credentials') passwordRef.current?.select();
  }, [failure]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void signIn({ serverUrl, email, password }).then((ok) => {
      if (ok) setPassword('');
    });
  };

  const expired = session.reason === 'session-expired';
  return (
    <main className="sign-in" aria-labelledby="sign-in-heading">
      <div className="card sign-in-card">
        <p className="brand">Medaius Scan &amp; Records</p>
        <h1 id="sign-in-heading">Sign in</h1>
        {failure ? (
          <div role="alert" className="notice notice-error">
            <strong>{TITLES[failure.code]}.</strong> {failure.message}
          </div>
        ) : (
          session.message && (
            <div role={expired ? 'alert' : 'status'} className="notice notice-warning">
              {expired && <strong>Your session has ended. </strong>}
              {session.message}
              {expired && ' Queued uploads and the inbox are kept and continue after you sign in.'}
            </div>
          )
        )}
        <form onSubmit={submit} className="form" aria-label="Sign in" noValidate>
          <label>
            Server address
            <input
              ref={serverRef}
              type="url"
              inputMode="url"
              autoComplete="url"
              spellCheck={false}
              required
              value={serverUrl}
              aria-invalid={
                failure?.code === 'invalid_server_url' || failure?.code === 'server_unreachable'
              }
              onChange={(e) => setServerUrl(e.target.value)}
            />
          </label>
          <label>
            E-mail address
            <input
              type="email"
              autoComplete="username"
              required
              autoFocus
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </label>
          <label>
            Password
            <input
              ref={passwordRef}
              type="password"
              autoComplete="current-password"
              required
              value={password}
              aria-invalid={failure?.code === 'invalid_credentials'}
              onChange={(e) => setPassword(e.target.value)}
            />
          </label>
          <button type="submit" className="primary" disabled={signingIn}>
            {signingIn ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
    </main>
  );
}
