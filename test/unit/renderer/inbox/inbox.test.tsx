// @vitest-environment jsdom
// The inbox screen as a front desk uses it: items with thumbnails, flags and problems; page
// operations reaching main on the right channel; filing checked items as one batch; live updates.
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { InboxItem } from '../../../../src/shared/ingest/model.js';
import { InboxScreen } from '../../../../src/renderer/src/features/inbox/InboxScreen.js';
import { useInbox } from '../../../../src/renderer/src/features/inbox/store.js';
import { installFakeApi, type FakeApi } from '../uploads/fake-api.js';
import { encounter, pageOperations, patient, pdfItem } from './fixtures.js';

let fake: FakeApi;

async function showInbox(items: InboxItem[]) {
  fake = installFakeApi({
    listInbox: () => Promise.resolve({ items }),
    getInboxThumbnail: ({ sha256 }: { sha256: string }) =>
      Promise.resolve({ dataUrl: `data:image/jpeg;base64,${sha256.slice(-4)}` }),
    searchPatients: () => Promise.resolve({ items: [patient], nextCursor: null }),
    listEncounters: () => Promise.resolve([encounter]),
    fileItems: () => Promise.resolve({ batchId: crypto.randomUUID(), filed: [] }),
    ...pageOperations(items),
  });
  render(<InboxScreen />);
  await screen.findByRole('list', { name: 'Inbox items' });
}

const itemCard = (name: string) => within(screen.getByRole('listitem', { name }));

async function choosePatient() {
  vi.useFakeTimers({ shouldAdvanceTime: true });
  fireEvent.change(screen.getByRole('combobox', { name: 'Patient' }), {
    target: { value: 'lovelace' },
  });
  await act(async () => vi.advanceTimersByTime(300));
  vi.useRealTimers();
  fireEvent.click(await screen.findByRole('option', { name: /Lovelace, Ada \(MRN MRN-0042/ }));
  await screen.findByText(/Lovelace, Ada \(MRN MRN-0042/);
}

beforeEach(() => {
  useInbox.setState(useInbox.getInitialState(), true);
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('InboxScreen', () => {
  it('shows each item with its thumbnail, blank-page flags and problems', async () => {
    const letter = pdfItem('letter.pdf', 2, { problems: ['Page 2 could not be previewed.'] });
    const scan = pdfItem('Scan 2026-11-27.pdf', 3, { source: 'scanner' });
    scan.pages![1]!.blank = true;
    await showInbox([letter, scan]);

    const thumb = (await screen.findByAltText('First page of letter.pdf')) as HTMLImageElement;
    const wanted = letter.thumbnail.status === 'ready' ? letter.thumbnail.file.sha256 : '';
    expect(fake.fn('getInboxThumbnail')).toHaveBeenCalledWith({ sha256: wanted });
    expect(thumb.src).toBe(`data:image/jpeg;base64,${wanted.slice(-4)}`);
    expect(
      within(
        itemCard('letter.pdf').getByRole('list', { name: 'Problems with letter.pdf' }),
      ).getByText('Page 2 could not be previewed.'),
    ).toBeTruthy();
    expect(itemCard('Scan 2026-11-27.pdf').getByText(/1 page looks blank/)).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Open Scan 2026-11-27.pdf' }));
    const pages = within(screen.getByRole('list', { name: 'Pages' }));
    expect(within(pages.getAllByRole('listitem')[1]!).getByText('Looks blank')).toBeTruthy();
  });

  it('files the checked items with one fileItems call carrying what the user assigned', async () => {
    const [a, b, c] = [pdfItem('a.pdf'), pdfItem('b.pdf'), pdfItem('c.pdf')];
    await showInbox([a, b, c]);

    fireEvent.click(screen.getByRole('checkbox', { name: 'Select c.pdf' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select a.pdf' }));
    await choosePatient();
    const encounterSelect = screen.getByRole('combobox', { name: 'Encounter' });
    await within(encounterSelect).findByRole('option', { name: /Office visit/ });
    fireEvent.change(encounterSelect, { target: { value: encounter.id } });
    fireEvent.change(screen.getByRole('combobox', { name: 'Category' }), {
      target: { value: 'referral' },
    });
    fireEvent.change(screen.getByRole('textbox', { name: 'Title' }), {
      target: { value: ' Referral letters ' },
    });
    fireEvent.change(screen.getByLabelText('Document date'), { target: { value: '2026-11-01' } });
    fireEvent.click(screen.getByRole('button', { name: 'File 2 items' }));

    expect(await screen.findByText(/2 items filed to Ada Lovelace/)).toBeTruthy();
    expect(fake.fn('fileItems').mock.calls).toEqual([
      [
        {
          patientId: patient.id,
          encounterId: encounter.id,
          category: 'referral',
          title: 'Referral letters',
          documentDate: '2026-11-01',
          items: [{ itemId: a.id }, { itemId: c.id }],
        },
      ],
    ]);
    expect(fake.fn('listEncounters')).toHaveBeenCalledWith({ patientId: patient.id });
    // Filed items leave the list at once, before main's next inbox snapshot.
    const left = within(screen.getByRole('list', { name: 'Inbox items' })).getAllByRole('listitem');
    expect(left.map((li) => li.getAttribute('aria-label'))).toEqual(['b.pdf']);
  });

  it('files the open item alone when none is checked, and asks for what is missing first', async () => {
    const [a, b] = [pdfItem('a.pdf'), pdfItem('b.pdf')];
    await showInbox([a, b]);
    fireEvent.click(screen.getByRole('button', { name: 'Open b.pdf' }));
    fireEvent.click(screen.getByRole('button', { name: 'File 1 item' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Choose a patient and a category before filing.',
    );
    expect(fake.fn('fileItems')).not.toHaveBeenCalled();

    await choosePatient();
    fireEvent.change(screen.getByRole('combobox', { name: 'Category' }), {
      target: { value: 'lab' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'File 1 item' }));
    await screen.findByText(/1 item filed/);
    expect(fake.fn('fileItems').mock.calls).toEqual([
      [{ patientId: patient.id, category: 'lab', items: [{ itemId: b.id }] }],
    ]);
  });

  it('shows main’s refusal to file, naming what went wrong', async () => {
    await showInbox([pdfItem('a.pdf')]);
    fake
      .fn('fileItems')
      .mockImplementation(() => Promise.reject(new Error('"a.pdf" is being filed already.')));
    await choosePatient();
    fireEvent.change(screen.getByRole('combobox', { name: 'Category' }), {
      target: { value: 'lab' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'File 1 item' }));
    expect((await screen.findByRole('alert')).textContent).toBe('"a.pdf" is being filed already.');
  });

  it('sends page operations on the picked pages to their channels, each from the last result', async () => {
    const item = pdfItem('scan.pdf', 3);
    const [p1, p2, p3] = item.pages!.map((p) => p.id);
    await showInbox([item]);
    const pick = (n: number) =>
      fireEvent.click(screen.getByRole('checkbox', { name: `Page ${n}` }));
    const strip = () =>
      within(screen.getByRole('list', { name: 'Pages' }))
        .getAllByRole('checkbox')
        .map((box) => box.closest('label')!.textContent);

    pick(2);
    fireEvent.click(screen.getByRole('button', { name: 'Rotate right' }));
    await screen.findByText('Page 2 (turned 90°)');
    fireEvent.click(screen.getByRole('button', { name: 'Rotate left' }));
    await screen.findByText('Page 2');
    expect(fake.fn('rotatePages').mock.calls).toEqual([
      [{ itemId: item.id, pageIds: [p2], turn: 90 }],
      [{ itemId: item.id, pageIds: [p2], turn: -90 }],
    ]);

    // Main's inbox snapshot comes later; the second move must start from the first's result.
    fireEvent.click(screen.getByRole('button', { name: 'Rotate right' }));
    await screen.findByText('Page 2 (turned 90°)');
    fireEvent.click(screen.getByRole('button', { name: 'Move page 3 earlier' }));
    await screen.findByText('Page 3 (turned 90°)');
    fireEvent.keyDown(screen.getByRole('checkbox', { name: 'Page 1' }), {
      key: 'ArrowRight',
      altKey: true,
    });
    await screen.findByText('Page 1 moved to position 2.');
    expect(fake.fn('reorderPages').mock.calls).toEqual([
      [{ itemId: item.id, pageIds: [p1, p3, p2] }],
      [{ itemId: item.id, pageIds: [p3, p1, p2] }],
    ]);
    expect(strip()).toEqual(['Page 1', 'Page 2', 'Page 3 (turned 90°)']);
    expect(document.activeElement).toBe(screen.getByRole('checkbox', { name: 'Page 2' }));

    fireEvent.click(screen.getByRole('button', { name: 'Delete pages' }));
    await screen.findByText('1 page deleted from "scan.pdf".');
    expect(fake.fn('deletePages').mock.calls).toEqual([[{ itemId: item.id, pageIds: [p2] }]]);
    expect(strip()).toEqual(['Page 1', 'Page 2']);

    pick(2);
    fireEvent.click(screen.getByRole('button', { name: 'Split before picked pages' }));
    await screen.findByRole('heading', { name: 'Pages of scan.pdf (part 1)' });
    expect(fake.fn('splitItem').mock.calls).toEqual([[{ itemId: item.id, startPageIds: [p1] }]]);
    const names = within(screen.getByRole('list', { name: 'Inbox items' }))
      .getAllByRole('listitem')
      .map((li) => li.getAttribute('aria-label'));
    expect(names).toEqual(['scan.pdf (part 1)', 'scan.pdf (part 2)']);
  });

  it('moves a page by dragging it onto another place', async () => {
    const item = pdfItem('scan.pdf', 3);
    const [p1, p2, p3] = item.pages!.map((p) => p.id);
    await showInbox([item]);
    const tiles = within(screen.getByRole('list', { name: 'Pages' })).getAllByRole('listitem');
    const data = new Map<string, string>();
    const dataTransfer = {
      get types() {
        return [...data.keys()];
      },
      setData: (type: string, value: string) => data.set(type, value),
      getData: (type: string) => data.get(type) ?? '',
      effectAllowed: 'none',
      dropEffect: 'none',
    };
    fireEvent.dragStart(tiles[0]!, { dataTransfer });
    fireEvent.dragOver(tiles[2]!, { dataTransfer });
    fireEvent.drop(tiles[2]!, { dataTransfer });
    await act(async () => undefined);
    expect(fake.fn('reorderPages').mock.calls).toEqual([
      [{ itemId: item.id, pageIds: [p2, p3, p1] }],
    ]);
  });

  it('will not delete every page: it points to removing the item instead', async () => {
    const item = pdfItem('one.pdf', 1);
    await showInbox([item]);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Page 1' }));
    fireEvent.click(screen.getByRole('button', { name: 'Delete pages' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/remove the whole item/);
    expect(fake.fn('deletePages')).not.toHaveBeenCalled();
  });

  it('merges the checked items and removes an item after confirmation', async () => {
    const [a, b, c] = [pdfItem('a.pdf'), pdfItem('b.pdf'), pdfItem('c.pdf')];
    await showInbox([a, b, c]);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select b.pdf' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select a.pdf' }));
    fireEvent.click(screen.getByRole('button', { name: 'Merge 2 items' }));
    await act(async () => undefined);
    expect(fake.fn('mergeItems').mock.calls).toEqual([[{ itemIds: [a.id, b.id] }]]);

    fireEvent.click(screen.getByRole('button', { name: 'Remove c.pdf' }));
    expect(fake.fn('removeItem')).not.toHaveBeenCalled();
    fireEvent.click(
      within(screen.getByRole('alertdialog', { name: 'Remove c.pdf from the inbox?' })).getByRole(
        'button',
        { name: 'Remove from the inbox' },
      ),
    );
    await act(async () => undefined);
    expect(fake.fn('removeItem').mock.calls).toEqual([[{ itemId: c.id }]]);
  });

  it('follows main’s inbox events', async () => {
    const a = pdfItem('a.pdf');
    await showInbox([a]);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select a.pdf' }));
    const b = pdfItem('b.pdf');
    act(() => fake.emit('onInboxChanged', { items: [b] }));
    expect(screen.queryByRole('listitem', { name: 'a.pdf' })).toBeNull();
    expect(screen.getByRole('listitem', { name: 'b.pdf' })).toBeTruthy();
    // The checked item is gone, so the File button is about the open one.
    expect(screen.getByRole('button', { name: 'File 1 item' })).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Pages of b.pdf' })).toBeTruthy();
  });
});
