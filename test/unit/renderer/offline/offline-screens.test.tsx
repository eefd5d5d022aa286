// @vitest-environment jsdom
// Offline on the patients screen (what is on this computer), and the offline copies in settings:
// usage per patient, sync, removing everything, and consent to evict pinned copies.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OfflineCopiesSection } from '../../../../src/renderer/src/features/offline/OfflineCopiesSection.js';
import { PatientsScreen } from '../../../../src/renderer/src/features/patients/PatientsScreen.js';
import { usePatients } from '../../../../src/renderer/src/features/patients/usePatients.js';
import { useSession } from '../../../../src/renderer/src/features/session/useSession.js';
import { useNavigation } from '../../../../src/renderer/src/features/shell/navigation.js';
import { fakeApi, installApi, signedIn, type FakeApi } from '../shell/fake-api.js';
import {
  OTHER_PATIENT_ID,
  PATIENT_ID,
  pin,
  pinnedPatient,
  resetOfflineStore,
  status,
} from './fixtures.js';

const initialPatients = usePatients.getState();
const initialNavigation = useNavigation.getState();

beforeEach(() => {
  localStorage.clear();
  resetOfflineStore();
  usePatients.setState(initialPatients, true);
  useNavigation.setState(initialNavigation, true);
  useSession.setState({ status: 'ready', session: signedIn() });
});
afterEach(cleanup);

const callsTo = (fake: FakeApi, method: string) =>
  fake.calls.filter(([m]) => m === method).map(([, input]) => input);

describe('the patients screen offline', () => {
  it('lists the patients available offline only while offline, and opens one', async () => {
    const twoPinned = status({
      pins: [
        pin({ patientId: PATIENT_ID }, { label: 'Grace Hopper (MRN MRN-1)' }),
        pin(
          { patientId: OTHER_PATIENT_ID },
          { id: '40000000-0000-4000-8000-000000000002', label: 'Ada Lovelace (MRN MRN-2)' },
        ),
        pin(
          { documentIds: ['30000000-0000-4000-8000-000000000001'] },
          { id: '40000000-0000-4000-8000-000000000003', label: 'CBC report' },
        ),
      ],
    });
    installApi(
      fakeApi({
        searchPatients: () => ({ items: [], nextCursor: null }),
        getOfflineStatus: () => twoPinned,
        listAnnotationConflicts: () => ({ items: [] }),
      }),
    );
    render(<PatientsScreen />);
    await screen.findByRole('heading', { level: 1, name: 'Patients' });
    expect(screen.queryByText(/You are offline/)).toBeNull();
    expect(screen.queryByRole('list', { name: 'Available offline' })).toBeNull();

    act(() => useSession.setState({ session: { ...signedIn(), offline: true } }));
    expect(
      await screen.findByText('You are offline. These patients are available offline:'),
    ).toBeTruthy();
    const list = await screen.findByRole('list', { name: 'Available offline' });
    await waitFor(() =>
      expect(
        within(list)
          .getAllByRole('button')
          .map((b) => b.textContent),
      ).toEqual(['Grace Hopper (MRN MRN-1)', 'Ada Lovelace (MRN MRN-2)']),
    );
    fireEvent.click(within(list).getByRole('button', { name: 'Ada Lovelace (MRN MRN-2)' }));
    expect(useNavigation.getState().route).toEqual({
      screen: 'patient',
      patientId: OTHER_PATIENT_ID,
    });

    act(() => useSession.setState({ session: signedIn() }));
    expect(screen.queryByRole('list', { name: 'Available offline' })).toBeNull();
  });
});

describe('offline copies in settings', () => {
  it('shows usage per patient, syncs, and removes everything after asking', async () => {
    const fake = installApi(
      fakeApi({
        getOfflineStatus: () => pinnedPatient('ready'),
        listAnnotationConflicts: () => ({ items: [] }),
        syncOfflineNow: () => pinnedPatient('ready'),
        wipeOfflineCache: () => status(),
      }),
    );
    render(<OfflineCopiesSection />);
    expect(screen.getByRole('heading', { name: 'Offline copies' })).toBeTruthy();
    const table = await screen.findByRole('table', { name: 'Offline copies' });
    const rows = within(table).getAllByRole('row');
    expect(rows.map((r) => [...r.querySelectorAll('th, td')].map((c) => c.textContent))).toEqual([
      ['Patient', 'Documents', 'Size'],
      ['Hopper, Grace · MRN MRN-1 · pinned', '5', '4.9 KB'],
    ]);
    expect(screen.getByText(/4\.9 KB of 500 MB used/)).toBeTruthy();

    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Sync now' })));
    expect(callsTo(fake, 'syncOfflineNow')).toHaveLength(1);

    fireEvent.click(screen.getByRole('button', { name: 'Remove all offline copies' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Remove all offline copies?' });
    await act(async () => fireEvent.click(within(dialog).getByRole('button', { name: 'Remove' })));
    expect(callsTo(fake, 'wipeOfflineCache')).toHaveLength(1);
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(screen.queryByRole('table', { name: 'Offline copies' })).toBeNull();
    expect(screen.getByText('No offline copies on this computer.')).toBeTruthy();
  });

  it('asks before evicting pinned copies that no longer fit', async () => {
    const tooBig = { ...pinnedPatient('ready', { overLimit: 3 }), needsEvictionConsent: true };
    const fake = installApi(
      fakeApi({
        getOfflineStatus: () => tooBig,
        listAnnotationConflicts: () => ({ items: [] }),
        evictOfflineCopies: () => ({ removed: ['x'], status: pinnedPatient('ready') }),
      }),
    );
    render(<OfflineCopiesSection />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('3 could not be downloaded');
    await act(async () =>
      fireEvent.click(within(alert).getByRole('button', { name: 'Remove pinned copies to fit' })),
    );
    expect(callsTo(fake, 'evictOfflineCopies')).toEqual([{ allowPinned: true }]);
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
