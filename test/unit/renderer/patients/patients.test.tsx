// @vitest-environment jsdom
// Finding a patient: the search waits for a pause in typing, pages through long answers, shows
// only the answer to the latest query, and remembers the patients opened, per user.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PatientsScreen } from '../../../../src/renderer/src/features/patients/PatientsScreen.js';
import {
  MAX_RECENT,
  recentKey,
  usePatients,
} from '../../../../src/renderer/src/features/patients/usePatients.js';
import { useSession } from '../../../../src/renderer/src/features/session/useSession.js';
import { useNavigation } from '../../../../src/renderer/src/features/shell/navigation.js';
import type { Patient } from '../../../../src/shared/api/schemas.js';
import { fakeApi, installApi, signedIn } from '../shell/fake-api.js';

const initialPatients = usePatients.getState();
const initialNavigation = useNavigation.getState();

beforeEach(() => {
  localStorage.clear();
  usePatients.setState(initialPatients, true);
  useNavigation.setState(initialNavigation, true);
  useSession.setState({ status: 'ready', session: signedIn() });
});
afterEach(cleanup);

function patient(n: number, family = 'Smith'): Patient {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    mrn: `MRN-${1000 + n}`,
    givenName: `Pat${n}`,
    familyName: family,
    birthDate: '1980-02-03',
    sex: null,
  };
}

/** A directory of patients the fake searches like the API: by name or MRN, in pages. */
function directory(patients: Patient[]) {
  return ({ q, limit = 25, cursor }: { q?: string; limit?: number; cursor?: string }) => {
    const needle = (q ?? '').toLowerCase();
    const matches = patients.filter((p) =>
      [p.givenName, p.familyName, p.mrn].some((field) => field.toLowerCase().includes(needle)),
    );
    const start = cursor ? Number(cursor) : 0;
    const end = start + limit;
    return {
      items: matches.slice(start, end),
      nextCursor: end < matches.length ? String(end) : null,
    };
  };
}

function resultButtons() {
  return within(screen.getByRole('list', { name: 'Search results' })).queryAllByRole('button');
}

describe('patient search', () => {
  it('searches once the user pauses typing, by name or MRN', async () => {
    const fake = installApi(
      fakeApi({ searchPatients: directory([patient(1), patient(2, 'Jones'), patient(3)]) }),
    );
    render(<PatientsScreen />);
    await waitFor(() => expect(resultButtons()).toHaveLength(3));

    const box = screen.getByLabelText('Search patients by name or MRN');
    for (const text of ['J', 'Jo', 'Jon', 'Jones'])
      fireEvent.change(box, { target: { value: text } });
    await waitFor(() => expect(resultButtons()).toHaveLength(1));
    expect(resultButtons()[0]?.textContent).toContain('Jones, Pat2');
    // the first load, then one search for the whole word: none for the keystrokes in between
    expect(fake.calls.map(([, input]) => (input as { q?: string }).q)).toEqual([
      undefined,
      'Jones',
    ]);

    fireEvent.change(box, { target: { value: 'MRN-1003' } });
    await waitFor(() => expect(resultButtons()[0]?.textContent).toContain('Smith, Pat3'));
  });

  it('loads further pages until there are no more', async () => {
    const many = Array.from({ length: 60 }, (_, i) => patient(i + 1));
    installApi(fakeApi({ searchPatients: directory(many) }));
    render(<PatientsScreen />);
    await waitFor(() => expect(resultButtons()).toHaveLength(25));

    await act(async () =>
      fireEvent.click(screen.getByRole('button', { name: 'Load more patients' })),
    );
    await waitFor(() => expect(resultButtons()).toHaveLength(50));
    await act(async () =>
      fireEvent.click(screen.getByRole('button', { name: 'Load more patients' })),
    );
    await waitFor(() => expect(resultButtons()).toHaveLength(60));
    expect(screen.queryByRole('button', { name: 'Load more patients' })).toBeNull();
    expect(new Set(resultButtons().map((b) => b.textContent)).size).toBe(60);
  });

  it('shows the answer to the latest query even when an earlier one answers last', async () => {
    const answers: Record<string, (page: unknown) => void> = {};
    installApi(
      fakeApi({
        searchPatients: ({ q }: { q?: string }) =>
          new Promise((resolve) => (answers[q ?? ''] = resolve)),
      }),
    );
    const search = usePatients.getState().search;
    const slow = search('Smith');
    const fast = search('Jones');
    answers.Jones?.({ items: [patient(2, 'Jones')], nextCursor: null });
    await fast;
    answers.Smith?.({ items: [patient(1)], nextCursor: null });
    await slow;
    expect(usePatients.getState().results.map((p) => p.familyName)).toEqual(['Jones']);
    expect(usePatients.getState().resultsFor).toBe('Jones');
  });

  it('says when the search failed', async () => {
    installApi(
      fakeApi({
        searchPatients: () => {
          throw new Error('You are offline.');
        },
      }),
    );
    render(<PatientsScreen />);
    expect((await screen.findByRole('alert')).textContent).toContain(
      'The patient search failed: You are offline.',
    );
  });
});

describe('recent patients', () => {
  it('lists opened patients most recent first, at most ten, and keeps them for the same user', async () => {
    const people = Array.from({ length: 12 }, (_, i) => patient(i + 1));
    installApi(fakeApi({ searchPatients: directory(people) }));
    render(<PatientsScreen />);
    await waitFor(() => expect(resultButtons()).toHaveLength(12));

    for (const button of resultButtons()) fireEvent.click(button);
    // Pat3 again: it moves to the top instead of appearing twice
    fireEvent.click(resultButtons()[2]!);
    expect(useNavigation.getState().route).toEqual({ screen: 'patient', patientId: people[2]!.id });

    const recent = () =>
      within(screen.getByRole('list', { name: 'Recent patients' }))
        .getAllByRole('button')
        .map((b) => b.querySelector('.patient-name')?.textContent);
    expect(recent()).toHaveLength(MAX_RECENT);
    expect(recent().slice(0, 3)).toEqual(['Smith, Pat3', 'Smith, Pat12', 'Smith, Pat11']);

    // A new run of the app (a fresh store) for the same user finds them again; another user does not.
    const userId = signedIn().user.id;
    usePatients.setState({ recentOwner: null, recent: [] });
    usePatients.getState().loadRecent(userId);
    expect(
      usePatients
        .getState()
        .recent.map((p) => p.givenName)
        .slice(0, 2),
    ).toEqual(['Pat3', 'Pat12']);
    usePatients.getState().loadRecent('00000000-0000-4000-8000-0000000000ff');
    expect(usePatients.getState().recent).toEqual([]);
    expect(localStorage.getItem(recentKey(userId))).toContain('Pat3');
  });

  it('ignores a damaged saved list instead of failing', () => {
    localStorage.setItem(recentKey('u1'), '{not json');
    usePatients.getState().loadRecent('u1');
    expect(usePatients.getState().recent).toEqual([]);
  });
});
