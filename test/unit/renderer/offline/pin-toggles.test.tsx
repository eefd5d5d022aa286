// @vitest-environment jsdom
// "Available offline" on a patient's documents and on one document: the switch pins and unpins
// through main, and the status next to it says how far the offline copy is.
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DocumentOfflineToggle,
  PatientOfflineToggle,
} from '../../../../src/renderer/src/features/offline/PinToggles.js';
import { PatientDocumentsScreen } from '../../../../src/renderer/src/features/documents/PatientDocumentsScreen.js';
import { useDocuments } from '../../../../src/renderer/src/features/documents/useDocuments.js';
import { useSession } from '../../../../src/renderer/src/features/session/useSession.js';
import { fakeApi, installApi, signedIn, type FakeApi } from '../shell/fake-api.js';
import {
  ENCOUNTERS,
  doc,
  installLayout,
  pagedDocuments,
  signedThumbnails,
} from '../documents/documents-world.js';
import {
  DOCUMENT_ID,
  PATIENT_ID,
  pin,
  pinnedPatient,
  resetOfflineStore,
  status,
} from './fixtures.js';

const initialDocuments = useDocuments.getState();

beforeEach(() => {
  resetOfflineStore();
  useDocuments.setState(initialDocuments, true);
  useSession.setState({ status: 'ready', session: signedIn() });
});
afterEach(cleanup);

const callsTo = (fake: FakeApi, method: string) =>
  fake.calls.filter(([m]) => m === method).map(([, input]) => input);
const toggle = () => screen.getByRole('button', { name: 'Available offline' });
const copy = () => screen.getByRole('status', { name: 'Offline copy' });

describe('a patient available offline', () => {
  it('pins the patient, shows the download, and unpins', async () => {
    const fake = installApi(
      fakeApi({
        getOfflineStatus: () => status(),
        listAnnotationConflicts: () => ({ items: [] }),
        pinOffline: () =>
          pinnedPatient('syncing', { state: 'syncing', documentsDone: 2, documentsTotal: 5 }),
        unpinOffline: () => status(),
      }),
    );
    render(<PatientOfflineToggle patientId={PATIENT_ID} />);
    await waitFor(() => expect(callsTo(fake, 'getOfflineStatus')).toHaveLength(1));
    expect(toggle().getAttribute('aria-pressed')).toBe('false');
    expect(copy().textContent).toBe('');

    await act(async () => fireEvent.click(toggle()));
    expect(callsTo(fake, 'pinOffline')).toEqual([{ patientId: PATIENT_ID }]);
    expect(toggle().getAttribute('aria-pressed')).toBe('true');
    expect(copy().textContent).toBe('Downloading 2 of 5 documents…');

    act(() => fake.emit('onOfflineChanged', pinnedPatient('ready', { state: 'idle' })));
    expect(copy().textContent).toBe('Available offline: 5 documents');

    act(() =>
      fake.emit(
        'onOfflineChanged',
        pinnedPatient('failed', { state: 'failed', message: 'The disk is full.' }),
      ),
    );
    expect(copy().textContent).toBe('The offline copy could not be downloaded: The disk is full.');

    await act(async () => fireEvent.click(toggle()));
    expect(callsTo(fake, 'unpinOffline')).toEqual([{ patientId: PATIENT_ID }]);
    expect(toggle().getAttribute('aria-pressed')).toBe('false');
    expect(copy().textContent).toBe('');
  });

  it('says why a pin was refused and stays off', async () => {
    installApi(
      fakeApi({
        getOfflineStatus: () => status({ available: false }),
        listAnnotationConflicts: () => ({ items: [] }),
        pinOffline: () => {
          throw new Error('The offline cache is still starting. Try again in a moment.');
        },
      }),
    );
    render(<PatientOfflineToggle patientId={PATIENT_ID} />);
    await act(async () => fireEvent.click(toggle()));
    expect(toggle().getAttribute('aria-pressed')).toBe('false');
    expect(copy().textContent).toBe(
      'Could not keep this offline: The offline cache is still starting. Try again in a moment.',
    );
  });

  it('is in the header of the patient’s documents screen', async () => {
    installLayout();
    const fake = installApi(
      fakeApi({
        getPatient: () => ({
          id: PATIENT_ID,
          mrn: 'MRN-1',
          givenName: 'Grace',
          familyName: 'Hopper',
          birthDate: null,
          sex: null,
        }),
        listEncounters: () => ENCOUNTERS,
        listDocuments: pagedDocuments([doc(1)]),
        getThumbnailUrls: signedThumbnails,
        getOfflineStatus: () => pinnedPatient('ready'),
        listAnnotationConflicts: () => ({ items: [] }),
        unpinOffline: () => status(),
      }),
    );
    render(<PatientDocumentsScreen patientId={PATIENT_ID} />);
    await waitFor(() => expect(copy().textContent).toBe('Available offline: 5 documents'));
    const header = screen.getByRole('heading', { level: 1 }).closest('header')!;
    expect(header.contains(toggle())).toBe(true);
    expect(toggle().getAttribute('aria-pressed')).toBe('true');
    await act(async () => fireEvent.click(toggle()));
    expect(callsTo(fake, 'unpinOffline')).toEqual([{ patientId: PATIENT_ID }]);
  });
});

describe('one document kept offline', () => {
  it('pins and unpins the document alone', async () => {
    const docPin = pin({ documentIds: [DOCUMENT_ID] }, { label: 'CBC report' });
    const fake = installApi(
      fakeApi({
        getOfflineStatus: () => status(),
        listAnnotationConflicts: () => ({ items: [] }),
        pinOffline: () => status({ pins: [docPin] }),
        unpinOffline: () => status(),
      }),
    );
    render(<DocumentOfflineToggle documentId={DOCUMENT_ID} patientId={PATIENT_ID} />);
    const button = () => screen.getByRole('button', { name: 'Keep this document offline' });
    await waitFor(() => expect(callsTo(fake, 'getOfflineStatus')).toHaveLength(1));
    expect(button().getAttribute('aria-pressed')).toBe('false');

    await act(async () => fireEvent.click(button()));
    expect(callsTo(fake, 'pinOffline')).toEqual([{ documentIds: [DOCUMENT_ID] }]);
    expect(button().getAttribute('aria-pressed')).toBe('true');

    await act(async () => fireEvent.click(button()));
    expect(callsTo(fake, 'unpinOffline')).toEqual([{ documentIds: [DOCUMENT_ID] }]);
    expect(button().getAttribute('aria-pressed')).toBe('false');
  });
});
