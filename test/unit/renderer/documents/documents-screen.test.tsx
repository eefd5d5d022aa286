// @vitest-environment jsdom
// A patient's documents as a user works with them: every page loads in the background, filters
// and sorts change what shows, the gallery renders only what is in view and asks for those
// thumbnails, arrows and Enter work, details can be corrected, and delete asks first.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { PatientDocumentsScreen } from '../../../../src/renderer/src/features/documents/PatientDocumentsScreen.js';
import {
  REFRESH_AFTER_MS,
  useDocuments,
} from '../../../../src/renderer/src/features/documents/useDocuments.js';
import { useSession } from '../../../../src/renderer/src/features/session/useSession.js';
import { useNavigation } from '../../../../src/renderer/src/features/shell/navigation.js';
import type { DocumentPatch, DocumentReference } from '../../../../src/shared/api/schemas.js';
import { fakeApi, installApi, signedIn, type FakeApi } from '../shell/fake-api.js';
import {
  ENCOUNTERS,
  PATIENT_ID,
  doc,
  installLayout,
  pagedDocuments,
  signedThumbnails,
} from './documents-world.js';

const initialDocuments = useDocuments.getState();
const initialNavigation = useNavigation.getState();

beforeAll(installLayout);
beforeEach(() => {
  localStorage.clear();
  useDocuments.setState({ ...initialDocuments, view: 'gallery' }, true);
  useNavigation.setState(initialNavigation, true);
  useSession.setState({ status: 'ready', session: signedIn() });
});
afterEach(cleanup);

function showDocuments(documents: DocumentReference[], extra: Parameters<typeof fakeApi>[0] = {}) {
  const fake = installApi(
    fakeApi({
      getPatient: () => ({
        id: PATIENT_ID,
        mrn: 'MRN-1',
        givenName: 'Grace',
        familyName: 'Hopper',
        birthDate: '1906-12-09',
        sex: 'female',
      }),
      listEncounters: () => ENCOUNTERS,
      listDocuments: pagedDocuments(documents),
      getThumbnailUrls: signedThumbnails,
      ...extra,
    }),
  );
  render(<PatientDocumentsScreen patientId={PATIENT_ID} />);
  return fake;
}

const status = () =>
  screen.getByText(/documents?( so far)?$|^Showing/, { selector: '[role=status]' });
const gallery = () => screen.getByRole('region', { name: 'Gallery' });
const galleryTitles = () =>
  within(gallery())
    .getAllByRole('button')
    .map((b) => b.getAttribute('aria-label'));
const callsTo = (fake: FakeApi, method: string) => fake.calls.filter(([m]) => m === method);

describe('loading', () => {
  it('loads every page of 100 in the background and says how many there are', async () => {
    const all = Array.from({ length: 250 }, (_, i) => doc(i + 1));
    const fake = showDocuments(all);
    await waitFor(() => expect(status().textContent).toBe('250 documents'));
    expect(callsTo(fake, 'listDocuments').map(([, input]) => input)).toEqual([
      { patientId: PATIENT_ID, limit: 100 },
      { patientId: PATIENT_ID, limit: 100, cursor: '100' },
      { patientId: PATIENT_ID, limit: 100, cursor: '200' },
    ]);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Hopper, Grace');
  });

  it('keeps what arrived when a page fails, and loads the rest when asked', async () => {
    const all = Array.from({ length: 150 }, (_, i) => doc(i + 1));
    let failNext = true;
    const pages = pagedDocuments(all);
    showDocuments(all, {
      listDocuments: (query: { cursor?: string }) => {
        if (query.cursor && failNext) {
          failNext = false;
          throw new Error('The server did not answer.');
        }
        return pages(query);
      },
    });
    expect((await screen.findByRole('alert')).textContent).toContain(
      'Not all documents could be loaded: The server did not answer.',
    );
    expect(status().textContent).toContain('100 documents so far');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Load the rest' })));
    await waitFor(() => expect(status().textContent).toBe('150 documents'));
  });

  it('renders only the rows in view of 10,000 documents and asks only for their thumbnails', async () => {
    const all = Array.from({ length: 10_000 }, (_, i) => doc(i + 1));
    const fake = showDocuments(all);
    await waitFor(() => expect(status().textContent).toBe('10,000 documents'));
    const rendered = within(gallery()).getAllByRole('button');
    expect(rendered.length).toBeGreaterThan(0);
    expect(rendered.length).toBeLessThan(60);

    await waitFor(() => expect(gallery().querySelector('img')).not.toBeNull());
    const asked = callsTo(fake, 'getThumbnailUrls').flatMap(
      ([, input]) => (input as { ids: string[] }).ids,
    );
    // every thumbnail in view was asked for; of the rest, at most what was briefly on top while loading
    const idByTitle = new Map(all.map((d) => [d.title, d.id]));
    for (const button of rendered) {
      expect(asked).toContain(idByTitle.get(button.getAttribute('aria-label')!));
    }
    expect(asked.length).toBeLessThan(200);
    expect(
      callsTo(fake, 'getThumbnailUrls').every(
        ([, input]) => (input as { ids: string[] }).ids.length <= 200,
      ),
    ).toBe(true);
  });

  it('asks no thumbnail for a document that has none, and shows its kind instead', async () => {
    const fake = showDocuments([
      doc(1, { thumbnailStatus: 'unsupported', contentType: 'application/dicom' }),
    ]);
    await waitFor(() => expect(status().textContent).toBe('1 document'));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(callsTo(fake, 'getThumbnailUrls')).toEqual([]);
    expect(within(gallery()).getByRole('button', { name: 'Document 1' }).textContent).toContain(
      'DICOM',
    );
  });
});

describe('keeping current', () => {
  it('shows a document filed for this patient as soon as its upload is done', async () => {
    const filed = doc(7, { title: 'Filed from the inbox' });
    const elsewhere = doc(8, { title: 'Another patient’s', patientId: ENCOUNTERS[0]!.id });
    const fake = showDocuments([doc(1)], {
      getDocument: ({ id }: { id: string }) => (id === filed.id ? filed : elsewhere),
    });
    await waitFor(() => expect(status().textContent).toBe('1 document'));
    const done = (id: string) => ({
      type: 'item',
      item: {
        id,
        fileName: 'x.pdf',
        batchId: null,
        state: 'done',
        bytesSent: 1,
        size: 1,
        rate: 0,
        etaSeconds: null,
        documentId: id,
      },
    });
    act(() => fake.emit('onUploadsChanged', done(elsewhere.id)));
    act(() => fake.emit('onUploadsChanged', done(filed.id)));
    await waitFor(() => expect(status().textContent).toBe('2 documents'));
    expect(galleryTitles()).toContain('Filed from the inbox');
    expect(galleryTitles()).not.toContain('Another patient’s');
  });

  it('loads the list again when the user comes back to it after a while', async () => {
    const all = [doc(1)];
    showDocuments(all);
    await waitFor(() => expect(status().textContent).toBe('1 document'));
    cleanup();
    all.push(doc(2, { title: 'Added elsewhere' }));

    render(<PatientDocumentsScreen patientId={PATIENT_ID} />);
    expect(status().textContent).toBe('1 document');
    const later = Date.now() + REFRESH_AFTER_MS;
    const clock = vi.spyOn(Date, 'now').mockReturnValue(later);
    try {
      cleanup();
      render(<PatientDocumentsScreen patientId={PATIENT_ID} />);
      await waitFor(() => expect(status().textContent).toBe('2 documents'));
    } finally {
      clock.mockRestore();
    }
  });
});

describe('filters and sort', () => {
  const mixed = [
    doc(1, {
      title: 'Knee X-ray',
      category: 'imaging',
      documentDate: '2024-03-01',
      encounterId: ENCOUNTERS[0]!.id,
    }),
    doc(2, {
      title: 'Blood count',
      category: 'lab',
      documentDate: '2024-03-02',
      encounterId: ENCOUNTERS[0]!.id,
    }),
    doc(3, {
      title: 'Discharge letter',
      category: 'clinical-note',
      documentDate: '2024-06-12',
      encounterId: ENCOUNTERS[1]!.id,
    }),
    doc(4, { title: 'Consent form', category: 'consent', documentDate: '2023-11-20' }),
    doc(5, { title: 'Röntgen knee follow-up', category: 'imaging', documentDate: '2024-07-01' }),
  ];

  async function ready() {
    showDocuments(mixed);
    await waitFor(() => expect(status().textContent).toBe('5 documents'));
  }

  it('shows newest first, and sorts by title both ways', async () => {
    await ready();
    expect(galleryTitles()).toEqual([
      'Röntgen knee follow-up',
      'Discharge letter',
      'Blood count',
      'Knee X-ray',
      'Consent form',
    ]);
    fireEvent.change(screen.getByLabelText('Sort by'), { target: { value: 'title-asc' } });
    expect(galleryTitles()).toEqual([
      'Blood count',
      'Consent form',
      'Discharge letter',
      'Knee X-ray',
      'Röntgen knee follow-up',
    ]);
    fireEvent.change(screen.getByLabelText('Sort by'), { target: { value: 'date-asc' } });
    expect(galleryTitles()[0]).toBe('Consent form');
  });

  it('filters by category, encounter, date range and title words, and clears them', async () => {
    await ready();
    fireEvent.change(screen.getByLabelText('Category'), { target: { value: 'imaging' } });
    expect(galleryTitles()).toEqual(['Röntgen knee follow-up', 'Knee X-ray']);
    expect(status().textContent).toBe('Showing 2 of 5 documents');

    fireEvent.change(screen.getByLabelText('Title contains'), { target: { value: 'rontgen' } });
    expect(galleryTitles()).toEqual(['Röntgen knee follow-up']);

    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    fireEvent.change(screen.getByLabelText('Encounter'), { target: { value: ENCOUNTERS[0]!.id } });
    expect(galleryTitles()).toEqual(['Blood count', 'Knee X-ray']);
    fireEvent.change(screen.getByLabelText('Encounter'), { target: { value: 'none' } });
    expect(galleryTitles()).toEqual(['Röntgen knee follow-up', 'Consent form']);

    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2024-03-02' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2024-06-30' } });
    expect(galleryTitles()).toEqual(['Discharge letter', 'Blood count']);

    fireEvent.change(screen.getByLabelText('Title contains'), {
      target: { value: 'nothing like this' },
    });
    expect(screen.getByText('No document matches these filters.')).toBeTruthy();
  });

  it('shows the same documents as a list, sortable from its column header', async () => {
    await ready();
    fireEvent.click(screen.getByRole('button', { name: 'List view' }));
    expect(screen.queryByRole('region', { name: 'Gallery' })).toBeNull();
    const list = screen.getByRole('region', { name: 'Document list' });
    const titles = () =>
      within(list)
        .getAllByRole('row')
        .slice(1)
        .map((row) => within(row).getByRole('button').textContent);
    expect(titles()).toHaveLength(5);
    fireEvent.click(within(list).getByRole('button', { name: 'Title' }));
    expect(titles()[0]).toBe('Blood count');
    expect(
      within(list).getByRole('columnheader', { name: 'Title' }).getAttribute('aria-sort'),
    ).toBe('ascending');
  });
});

describe('keyboard and opening', () => {
  it('moves through the grid with the arrows and opens with Enter, passing the order shown', async () => {
    const all = Array.from({ length: 12 }, (_, i) =>
      doc(i + 1, { title: `Report ${String(i + 1).padStart(2, '0')}` }),
    );
    showDocuments(all);
    await waitFor(() => expect(status().textContent).toBe('12 documents'));
    fireEvent.change(screen.getByLabelText('Sort by'), { target: { value: 'title-asc' } });

    const first = within(gallery()).getByRole('button', { name: 'Report 01' });
    expect(first.tabIndex).toBe(0);
    act(() => first.focus());
    fireEvent.keyDown(first, { key: 'ArrowRight' });
    await waitFor(() =>
      expect(document.activeElement?.getAttribute('aria-label')).toBe('Report 02'),
    );
    // 800px holds 4 columns: down moves four along
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    await waitFor(() =>
      expect(document.activeElement?.getAttribute('aria-label')).toBe('Report 06'),
    );
    expect(screen.getByRole('complementary', { name: 'Document details' })).toBeTruthy();
    expect((screen.getByLabelText('Title') as HTMLInputElement).value).toBe('Report 06');
    // Escape from the details panel goes back to the same document in the grid
    act(() => screen.getByLabelText('Title').focus());
    fireEvent.keyDown(screen.getByLabelText('Title'), { key: 'Escape' });
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Report 06');

    fireEvent.keyDown(document.activeElement!, { key: 'Enter' });
    const route = useNavigation.getState().route;
    expect(route).toMatchObject({
      screen: 'viewer',
      patientId: PATIENT_ID,
      documentId: all[5]!.id,
    });
    expect(route.screen === 'viewer' && route.siblings).toEqual(all.map((d) => d.id));
  });
});

describe('mouse', () => {
  it('opens a document with one click, without the details panel reflowing the grid first', async () => {
    const all = Array.from({ length: 6 }, (_, i) => doc(i + 1));
    showDocuments(all);
    await waitFor(() => expect(status().textContent).toBe('6 documents'));
    const cell = within(gallery()).getByRole('button', { name: 'Document 3' });
    // a press focuses the button before its click; the panel must not appear in between
    fireEvent.pointerDown(cell);
    act(() => cell.focus());
    expect(screen.queryByRole('complementary', { name: 'Document details' })).toBeNull();
    fireEvent.pointerUp(cell);
    fireEvent.click(cell);
    expect(useNavigation.getState().route).toMatchObject({
      screen: 'viewer',
      documentId: all[2]!.id,
    });
  });

  it('selects a row of the list by clicking beside its title', async () => {
    showDocuments([doc(1), doc(2)]);
    await waitFor(() => expect(status().textContent).toBe('2 documents'));
    fireEvent.click(screen.getByRole('button', { name: 'List view' }));
    const row = within(screen.getByRole('region', { name: 'Document list' }))
      .getAllByRole('row')
      .find((r) => r.textContent?.includes('Document 2'))!;
    fireEvent.click(within(row).getAllByRole('cell')[1]!);
    expect((screen.getByLabelText('Title') as HTMLInputElement).value).toBe('Document 2');
    expect(useNavigation.getState().route).toEqual({ screen: 'patients' });
  });
});

describe('coming back', () => {
  it('finds the document the user had, in view and focused, after the viewer', async () => {
    const all = Array.from({ length: 300 }, (_, i) =>
      doc(i + 1, { title: `Report ${String(i + 1).padStart(3, '0')}` }),
    );
    showDocuments(all);
    await waitFor(() => expect(status().textContent).toBe('300 documents'));
    fireEvent.change(screen.getByLabelText('Sort by'), { target: { value: 'title-asc' } });
    act(() => useDocuments.getState().select(all[249]!.id));
    // the viewer replaces the screen, then Back brings it again
    cleanup();
    render(<PatientDocumentsScreen patientId={PATIENT_ID} />);
    await waitFor(() =>
      expect(document.activeElement?.getAttribute('aria-label')).toBe('Report 250'),
    );
    expect(screen.getByLabelText('Title')).toHaveProperty('value', 'Report 250');
  });
});

describe('details', () => {
  it('saves a corrected title, category, encounter and date', async () => {
    const original = doc(1, { title: 'Scan 0001' });
    const fake = showDocuments([original], {
      updateDocument: ({ patch }: { id: string; patch: DocumentPatch }) => ({
        ...original,
        ...patch,
        updatedAt: '2024-02-01T00:00:00.000Z',
      }),
    });
    await waitFor(() => expect(status().textContent).toBe('1 document'));
    act(() => within(gallery()).getByRole('button', { name: 'Scan 0001' }).focus());

    const save = screen.getByRole('button', { name: 'Save changes' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('Title'), { target: { value: 'MRI left knee ' } });
    fireEvent.change(screen.getByLabelText('Category', { selector: 'aside select' }), {
      target: { value: 'imaging' },
    });
    fireEvent.change(screen.getByLabelText('Encounter', { selector: 'aside select' }), {
      target: { value: ENCOUNTERS[1]!.id },
    });
    fireEvent.change(screen.getByLabelText('Document date'), { target: { value: '2024-06-11' } });
    await act(async () => fireEvent.click(save));

    expect(callsTo(fake, 'updateDocument').map(([, input]) => input)).toEqual([
      {
        id: original.id,
        patch: {
          title: 'MRI left knee',
          category: 'imaging',
          encounterId: ENCOUNTERS[1]!.id,
          documentDate: '2024-06-11',
        },
      },
    ]);
    expect(within(gallery()).getByRole('button', { name: 'MRI left knee' })).toBeTruthy();
  });

  it('shows why a change was refused', async () => {
    const original = doc(1);
    showDocuments([original], {
      updateDocument: () => {
        throw new Error('Your role may not file documents as Imaging.');
      },
    });
    await waitFor(() => expect(status().textContent).toBe('1 document'));
    act(() => within(gallery()).getByRole('button', { name: 'Document 1' }).focus());
    fireEvent.change(screen.getByLabelText('Title'), { target: { value: 'Renamed' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Save changes' })));
    expect(screen.getByRole('alert').textContent).toContain(
      'The changes were not saved: Your role may not file documents as Imaging.',
    );
  });
});

describe('delete', () => {
  it('asks before deleting, deletes on confirmation, and can undo', async () => {
    useSession.setState({ session: signedIn('admin') });
    const target = doc(1, { title: 'Wrong patient letter' });
    const fake = showDocuments([target, doc(2)], {
      deleteDocument: () => undefined,
      restoreDocument: () => target,
    });
    await waitFor(() => expect(status().textContent).toBe('2 documents'));
    act(() => within(gallery()).getByRole('button', { name: 'Wrong patient letter' }).focus());

    fireEvent.click(screen.getByRole('button', { name: 'Delete document' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Delete this document?' });
    expect(dialog.textContent).toContain('Wrong patient letter');
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(callsTo(fake, 'deleteDocument')).toEqual([]);

    fireEvent.click(screen.getByRole('button', { name: 'Delete document' }));
    await act(async () =>
      fireEvent.click(
        within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Delete' }),
      ),
    );
    expect(callsTo(fake, 'deleteDocument').map(([, input]) => input)).toEqual([{ id: target.id }]);
    expect(galleryTitles()).toEqual(['Document 2']);
    expect(status().textContent).toBe('1 document');

    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Undo delete' })));
    expect(callsTo(fake, 'restoreDocument').map(([, input]) => input)).toEqual([{ id: target.id }]);
    expect(galleryTitles()).toContain('Wrong patient letter');
  });

  it('offers no delete to users who are not administrators', async () => {
    showDocuments([doc(1)]);
    await waitFor(() => expect(status().textContent).toBe('1 document'));
    act(() => within(gallery()).getByRole('button', { name: 'Document 1' }).focus());
    expect(screen.getByRole('button', { name: 'Save changes' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Delete document' })).toBeNull();
  });
});
