// @vitest-environment jsdom
// The window as a whole: sign-in or the app, the nav bar and its shortcuts, and a session that ends
// while the user works, which brings back the sign-in and then the same screen, not a fresh start.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../../../src/renderer/src/App.js';
import { usePatients } from '../../../../src/renderer/src/features/patients/usePatients.js';
import { useSession } from '../../../../src/renderer/src/features/session/useSession.js';
import { useNavigation } from '../../../../src/renderer/src/features/shell/navigation.js';
import type { SessionState } from '../../../../src/shared/ipc/contract.js';
import { DEFAULT_SETTINGS } from '../../../../src/shared/ipc/settings.js';
import { fakeApi, installApi, signedIn, signedOut } from './fake-api.js';

const initialSession = useSession.getState();
const initialNavigation = useNavigation.getState();

const initialPatients = usePatients.getState();

beforeEach(() => {
  useSession.setState(initialSession, true);
  usePatients.setState(initialPatients, true);
  useNavigation.setState(initialNavigation, true);
});
afterEach(cleanup);

function startApp(session: SessionState, extra: Parameters<typeof fakeApi>[0] = {}) {
  const fake = installApi(
    fakeApi({
      getSession: () => session,
      getSecretStatus: () => ({ protection: 'os-keyring', backend: null, warning: null }),
      getSettings: () => DEFAULT_SETTINGS,
      searchPatients: () => ({ items: [], nextCursor: null }),
      listUploads: () => ({ items: [], summary: { pending: 0, online: true, signedIn: true } }),
      listInbox: () => ({ items: [] }),
      ...extra,
    }),
  );
  render(<App />);
  return fake;
}

const nav = () => screen.getByRole('navigation', { name: 'Main' });

describe('app shell', () => {
  it('shows the sign-in screen to a user who is not signed in', async () => {
    startApp(signedOut());
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy();
    expect(screen.queryByRole('navigation', { name: 'Main' })).toBeNull();
  });

  it('moves between screens from the nav bar and with Ctrl+number', async () => {
    startApp(signedIn());
    await screen.findByRole('navigation', { name: 'Main' });
    expect(within(nav()).getByRole('link', { name: 'Patients' }).getAttribute('aria-current')).toBe(
      'page',
    );
    expect(screen.getByText('Ada Lovelace')).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1, name: 'Patients' })).toBeTruthy();

    fireEvent.click(within(nav()).getByRole('link', { name: 'Settings' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Settings' })).toBeTruthy();
    expect(within(nav()).getByRole('link', { name: 'Settings' }).getAttribute('aria-current')).toBe(
      'page',
    );

    fireEvent.keyDown(window, { key: '3', ctrlKey: true });
    expect(useNavigation.getState().route).toEqual({ screen: 'uploads' });
    expect(
      within(nav()).getByRole('link', { name: 'Upload queue' }).getAttribute('aria-current'),
    ).toBe('page');
    fireEvent.keyDown(window, { key: '2', ctrlKey: true });
    expect(useNavigation.getState().route).toEqual({ screen: 'inbox' });
  });

  it('returns to sign-in when the session expires, then to the same screen', async () => {
    const fake = startApp(signedIn(), {
      signIn: () => ({ ok: true, session: signedIn() }),
    });
    await screen.findByRole('navigation', { name: 'Main' });
    fireEvent.click(within(nav()).getByRole('link', { name: 'Settings' }));
    await screen.findByRole('heading', { level: 1, name: 'Settings' });

    act(() =>
      fake.emit('onSessionChanged', signedOut('session-expired', 'Your sign-in has expired.')),
    );
    expect(screen.getByRole('heading', { name: 'Sign in' })).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toContain(
      'Queued uploads and the inbox are kept',
    );

    fireEvent.change(screen.getByLabelText('E-mail address'), {
      target: { value: 'ada@example.test' },
    });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'correct horse' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Sign in' })));
    expect(await screen.findByRole('heading', { level: 1, name: 'Settings' })).toBeTruthy();
  });

  it('starts afresh on the patients screen when a different user signs in', async () => {
    const other = signedIn();
    other.user = { ...other.user, id: '00000000-0000-4000-8000-000000000002', name: 'Bob Bee' };
    const fake = startApp(signedIn(), { signIn: () => ({ ok: true, session: other }) });
    await screen.findByRole('navigation', { name: 'Main' });
    usePatients.setState({ resultsFor: 'Smith', query: 'Smith' });
    fireEvent.click(within(nav()).getByRole('link', { name: 'Settings' }));
    await screen.findByRole('heading', { level: 1, name: 'Settings' });

    act(() => fake.emit('onSessionChanged', signedOut('signed-out')));
    fireEvent.change(screen.getByLabelText('E-mail address'), {
      target: { value: 'bob@example.test' },
    });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'bob’s horse' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Sign in' })));

    expect(await screen.findByRole('heading', { level: 1, name: 'Patients' })).toBeTruthy();
    expect(screen.getByText('Bob Bee')).toBeTruthy();
    expect(
      (screen.getByLabelText('Search patients by name or MRN') as HTMLInputElement).value,
    ).toBe('');
  });

  it('signs out from the nav bar', async () => {
    const fake = startApp(signedIn(), { signOut: () => signedOut('signed-out') });
    await screen.findByRole('navigation', { name: 'Main' });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Sign out' })));
    expect(fake.calls.some(([method]) => method === 'signOut')).toBe(true);
    expect(screen.getByRole('heading', { name: 'Sign in' })).toBeTruthy();
  });

  it('says when it cannot tell whether the user is signed in', async () => {
    startApp(signedIn(), {
      getSession: () => {
        throw new Error('The desktop services are not running.');
      },
    });
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toContain(
        'The desktop services are not running.',
      ),
    );
  });

  it('shows a warning about unprotected sign-in storage until dismissed', async () => {
    startApp(signedOut(), {
      getSecretStatus: () => ({
        protection: 'basic-text',
        backend: 'basic_text',
        warning: 'No system keyring: your sign-in is stored with basic protection.',
      }),
    });
    expect((await screen.findByText(/No system keyring/)).textContent).toContain(
      'basic protection',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss warning' }));
    expect(screen.queryByText(/No system keyring/)).toBeNull();
  });
});
