// @vitest-environment jsdom
// An annotation made offline that met a change on the server is shown with both versions until the
// user keeps one; and signing out offers to remove what is kept on this computer first.
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictDialog } from '../../../../src/renderer/src/features/offline/ConflictDialog.js';
import { useSession } from '../../../../src/renderer/src/features/session/useSession.js';
import { NavBar } from '../../../../src/renderer/src/features/shell/NavBar.js';
import { fakeApi, installApi, signedIn, signedOut, type FakeApi } from '../shell/fake-api.js';
import { conflict, pinnedPatient, resetOfflineStore, status } from './fixtures.js';

beforeEach(() => {
  resetOfflineStore();
  useSession.setState({
    status: 'ready',
    session: signedIn(),
    signingOut: false,
    signOutError: null,
  });
});
afterEach(cleanup);

const methods = (fake: FakeApi) => fake.calls.map(([m]) => m);
const dialogNamed = (name: string) => screen.findByRole('dialog', { name });

describe('annotation conflicts', () => {
  it('shows both versions and keeps the one chosen', async () => {
    const second = conflict({
      id: '50000000-0000-4000-8000-000000000002',
      reason: 'deleted-on-server',
      theirs: null,
    });
    const fake = installApi(
      fakeApi({
        getOfflineStatus: () => status({ conflicts: 2 }),
        listAnnotationConflicts: () => ({ items: [conflict(), second] }),
        resolveAnnotationConflict: () => ({ annotation: null, conflicts: { items: [second] } }),
      }),
    );
    render(<ConflictDialog />);
    const dialog = await dialogNamed('An annotation changed on the server');
    const mine = within(dialog).getByRole('region', { name: 'Mine' });
    const theirs = within(dialog).getByRole('region', { name: 'Theirs' });
    expect(mine.textContent).toContain('Text note');
    expect(mine.textContent).toContain('Fracture healing well');
    expect(mine.textContent).toContain('Ada Lovelace');
    expect(theirs.textContent).toContain('Fracture not healed');
    expect(theirs.textContent).toContain('Bob Bee');
    expect(dialog.textContent).toContain('1 of 2 to decide');

    await act(async () =>
      fireEvent.click(within(dialog).getByRole('button', { name: 'Keep theirs' })),
    );
    expect(fake.calls.filter(([m]) => m === 'resolveAnnotationConflict')).toEqual([
      ['resolveAnnotationConflict', { id: conflict().id, keep: 'theirs' }],
    ]);
    const next = await dialogNamed('An annotation changed on the server');
    expect(within(next).getByRole('region', { name: 'Theirs' }).textContent).toContain(
      'Deleted on the server.',
    );

    await act(async () => fake.emit('onAnnotationConflictsChanged', { items: [] }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(methods(fake)).not.toContain('wipeOfflineCache');
  });

  it('says when a choice could not be sent, and keeps asking', async () => {
    installApi(
      fakeApi({
        getOfflineStatus: () => status({ conflicts: 1 }),
        listAnnotationConflicts: () => ({ items: [conflict()] }),
        resolveAnnotationConflict: () => {
          throw new Error('The server cannot be reached.');
        },
      }),
    );
    render(<ConflictDialog />);
    const dialog = await dialogNamed('An annotation changed on the server');
    await act(async () =>
      fireEvent.click(within(dialog).getByRole('button', { name: 'Keep mine' })),
    );
    expect(within(dialog).getByRole('alert').textContent).toContain(
      'The server cannot be reached.',
    );
    expect(
      screen.getByRole('dialog', { name: 'An annotation changed on the server' }),
    ).toBeTruthy();
  });

  it('shows nothing when there is no conflict', async () => {
    const fake = installApi(
      fakeApi({
        getOfflineStatus: () => status(),
        listAnnotationConflicts: () => ({ items: [] }),
      }),
    );
    render(<ConflictDialog />);
    await act(async () => {});
    expect(methods(fake)).toContain('listAnnotationConflicts');
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});

describe('signing out with offline copies', () => {
  function showNavBar(cached: boolean) {
    const fake = installApi(
      fakeApi({
        getOfflineStatus: () => (cached ? pinnedPatient('ready') : status()),
        listAnnotationConflicts: () => ({ items: [] }),
        wipeOfflineCache: () => status(),
        signOut: () => signedOut('signed-out'),
      }),
    );
    render(<NavBar session={signedIn()} />);
    return fake;
  }
  const signOutButton = () => screen.getByRole('button', { name: 'Sign out' });
  const question = 'Remove offline copies from this computer?';

  it('removes the copies, then signs out', async () => {
    const fake = showNavBar(true);
    await act(async () => {});
    fireEvent.click(signOutButton());
    const dialog = await dialogNamed(question);
    await act(async () =>
      fireEvent.click(within(dialog).getByRole('button', { name: 'Sign out and remove' })),
    );
    expect(methods(fake).filter((m) => m === 'wipeOfflineCache' || m === 'signOut')).toEqual([
      'wipeOfflineCache',
      'signOut',
    ]);
    expect(useSession.getState().session?.signedIn).toBe(false);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('keeps the copies, or stays signed in on Cancel', async () => {
    const fake = showNavBar(true);
    await act(async () => {});
    fireEvent.click(signOutButton());
    fireEvent.click(within(await dialogNamed(question)).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(methods(fake)).not.toContain('signOut');

    fireEvent.click(signOutButton());
    await act(async () =>
      fireEvent.click(
        within(await dialogNamed(question)).getByRole('button', { name: 'Sign out and keep' }),
      ),
    );
    expect(methods(fake)).toContain('signOut');
    expect(methods(fake)).not.toContain('wipeOfflineCache');
  });

  it('signs out at once when nothing is kept offline', async () => {
    const fake = showNavBar(false);
    await act(async () => {});
    await act(async () => fireEvent.click(signOutButton()));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(methods(fake)).toContain('signOut');
  });

  it('stays signed in when the copies could not be removed', async () => {
    const fake = installApi(
      fakeApi({
        getOfflineStatus: () => pinnedPatient('ready'),
        listAnnotationConflicts: () => ({ items: [] }),
        wipeOfflineCache: () => {
          throw new Error('The offline cache is still starting. Try again in a moment.');
        },
        signOut: () => signedOut('signed-out'),
      }),
    );
    render(<NavBar session={signedIn()} />);
    await act(async () => {});
    fireEvent.click(signOutButton());
    const dialog = await dialogNamed(question);
    await act(async () =>
      fireEvent.click(within(dialog).getByRole('button', { name: 'Sign out and remove' })),
    );
    expect(within(dialog).getByRole('alert').textContent).toContain('You are still signed in.');
    expect(methods(fake)).not.toContain('signOut');
  });
});
