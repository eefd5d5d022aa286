// @vitest-environment jsdom
// The sign-in screen: what a person sees when the password is wrong, the server cannot be reached,
// sign-in is throttled, or the server address is not a URL; and that a new address is saved first.
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SignInScreen } from '../../../../src/renderer/src/features/session/SignInScreen.js';
import { useSession } from '../../../../src/renderer/src/features/session/useSession.js';
import type { SignInResult, SignedOutState } from '../../../../src/shared/ipc/contract.js';
import { DEFAULT_SETTINGS } from '../../../../src/shared/ipc/settings.js';
import { fakeApi, installApi, signedIn, signedOut } from '../shell/fake-api.js';

const initial = useSession.getState();
beforeEach(() => useSession.setState(initial, true));
afterEach(cleanup);

function showSignIn(result: SignInResult | (() => never), state = signedOut() as SignedOutState) {
  const fake = installApi(
    fakeApi({
      signIn: typeof result === 'function' ? result : () => result,
      updateSettings: (patch: { serverUrl: string }) => ({ ...DEFAULT_SETTINGS, ...patch }),
    }),
  );
  useSession.setState({ status: 'ready', session: state });
  render(<SignInScreen session={state} />);
  return fake;
}

async function submit(email = 'ada@example.test', password = 'wrong horse') {
  fireEvent.change(screen.getByLabelText('E-mail address'), { target: { value: email } });
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: password } });
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
  });
}

describe('sign-in screen', () => {
  it('says the password is wrong and puts the cursor back in the password field', async () => {
    const fake = showSignIn({
      ok: false,
      code: 'invalid_credentials',
      message: 'The e-mail address or password is not correct.',
    });
    await submit();
    expect(screen.getByRole('alert').textContent).toContain('Wrong e-mail address or password');
    expect(document.activeElement).toBe(screen.getByLabelText('Password'));
    expect(fake.calls).toEqual([
      ['signIn', { email: 'ada@example.test', password: 'wrong horse' }],
    ]);
  });

  it('says when sign-in is throttled, with main’s wait time', async () => {
    showSignIn({
      ok: false,
      code: 'login_throttled',
      message: 'Too many failed sign-in attempts. Try again in 5 minutes.',
      retryAfterMinutes: 5,
    });
    await submit();
    const alert = screen.getByRole('alert').textContent;
    expect(alert).toContain('Too many attempts');
    expect(alert).toContain('Try again in 5 minutes');
  });

  it('says the server is unreachable and moves to the server address', async () => {
    showSignIn({
      ok: false,
      code: 'server_unreachable',
      message: 'The server at http://127.0.0.1:4000 did not answer.',
    });
    await submit();
    expect(screen.getByRole('alert').textContent).toContain('Server unreachable');
    expect(document.activeElement).toBe(screen.getByLabelText('Server address'));
  });

  it('refuses a server address that is not a URL without trying to sign in', async () => {
    const fake = showSignIn({ ok: true, session: signedIn() });
    fireEvent.change(screen.getByLabelText('Server address'), {
      target: { value: 'clinic-server' },
    });
    await submit();
    expect(screen.getByRole('alert').textContent).toContain('http:// or https://');
    expect(fake.calls).toEqual([]);
  });

  it('asks for missing credentials instead of sending an empty form', async () => {
    const fake = showSignIn({ ok: true, session: signedIn() });
    await submit('', '');
    expect(screen.getByRole('alert').textContent).toContain(
      'Enter your e-mail address and password',
    );
    expect(fake.calls).toEqual([]);
  });

  it('saves a changed server address before signing in to it', async () => {
    const fake = showSignIn({ ok: true, session: signedIn() });
    fireEvent.change(screen.getByLabelText('Server address'), {
      target: { value: 'https://records.example.test/' },
    });
    await submit('ada@example.test', 'correct horse');
    expect(fake.calls.map(([method]) => method)).toEqual(['updateSettings', 'signIn']);
    expect(fake.calls[0]?.[1]).toEqual({ serverUrl: 'https://records.example.test' });
    expect(useSession.getState().session?.signedIn).toBe(true);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('tells a user whose session expired that queued work is kept', () => {
    showSignIn(
      { ok: true, session: signedIn() },
      signedOut('session-expired', 'Your sign-in has expired. Sign in again.') as SignedOutState,
    );
    const alert = screen.getByRole('alert').textContent;
    expect(alert).toContain('Your session has ended');
    expect(alert).toContain('Queued uploads and the inbox are kept');
  });

  it('shows a call that failed outright in words', async () => {
    showSignIn(() => {
      throw new Error('The desktop services closed the connection.');
    });
    await submit();
    expect(screen.getByRole('alert').textContent).toContain(
      'The desktop services closed the connection.',
    );
  });
});
