// @vitest-environment jsdom
// The scan dialog opened from the inbox: devices and what each offers, the request it sends,
// pages appearing while the feeder runs, and cancel through ingest:cancel.
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../../../src/shared/ingest/scanner.js';
import { InboxScreen } from '../../../../src/renderer/src/features/inbox/InboxScreen.js';
import { useInbox } from '../../../../src/renderer/src/features/inbox/store.js';
import {
  createScanStore,
  nearestResolution,
  useScan,
} from '../../../../src/renderer/src/features/scan/store.js';
import { page, pdfItem } from '../inbox/fixtures.js';
import { installFakeApi, type FakeApi } from '../uploads/fake-api.js';

let fake: FakeApi;
let finishScan: (result: ScanResult) => void;

const devices = [
  { id: 'test:0', vendor: 'Noname', model: 'frontend-tester', type: 'virtual device' },
  { id: 'epson2:net:10.0.0.5', vendor: 'Epson', model: 'DS-530', type: 'sheetfed scanner' },
];

async function openDialog() {
  fake = installFakeApi({
    listInbox: () => Promise.resolve({ items: [] }),
    listScanners: () => Promise.resolve(devices),
    getScannerCapabilities: ({ deviceId }: { deviceId: string }) =>
      Promise.resolve(
        deviceId === 'test:0'
          ? { sources: ['flatbed'], colours: ['color', 'gray'], resolutions: { min: 50, max: 600 } }
          : {
              sources: ['feeder', 'feeder-duplex'],
              colours: ['color', 'gray', 'lineart'],
              resolutions: [150, 200, 600],
            },
      ),
    scan: () => new Promise<ScanResult>((resolve) => (finishScan = resolve)),
    cancelIngest: () => Promise.resolve({ cancelled: true }),
    getInboxThumbnail: () => Promise.resolve({ dataUrl: 'data:image/jpeg;base64,AAAA' }),
  });
  render(<InboxScreen />);
  fireEvent.click(await screen.findByRole('button', { name: 'Scan…' }));
  const dialog = await screen.findByRole('dialog', { name: 'Scan' });
  await within(dialog).findByRole('combobox', { name: 'Source' });
  return within(dialog);
}

const optionsOf = (dialog: ReturnType<typeof within>, name: string) =>
  within(dialog.getByRole('combobox', { name }))
    .getAllByRole('option')
    .map((o) => o.textContent);

beforeEach(() => {
  useInbox.setState(useInbox.getInitialState(), true);
  useScan.setState(useScan.getInitialState(), true);
});
afterEach(cleanup);

describe('ScanDialog', () => {
  it('offers what the chosen scanner can do and sends that request', async () => {
    const dialog = await openDialog();
    expect(optionsOf(dialog, 'Source')).toEqual(['Flatbed']);
    expect(
      (dialog.getByRole('spinbutton', { name: 'Resolution (dpi)' }) as HTMLInputElement).value,
    ).toBe('300');

    fireEvent.change(dialog.getByRole('combobox', { name: 'Scanner' }), {
      target: { value: 'epson2:net:10.0.0.5' },
    });
    await dialog.findByRole('option', { name: 'Document feeder, both sides (duplex)' });
    expect(optionsOf(dialog, 'Source')).toEqual([
      'Document feeder (ADF)',
      'Document feeder, both sides (duplex)',
    ]);
    expect(optionsOf(dialog, 'Mode')).toEqual([
      'Colour',
      'Greyscale',
      'Line art (black and white)',
    ]);
    // 300 dpi is not offered: the nearest one is chosen.
    expect((dialog.getByRole('combobox', { name: 'Resolution' }) as HTMLSelectElement).value).toBe(
      '200',
    );

    fireEvent.change(dialog.getByRole('combobox', { name: 'Source' }), {
      target: { value: 'feeder-duplex' },
    });
    fireEvent.change(dialog.getByRole('combobox', { name: 'Mode' }), {
      target: { value: 'lineart' },
    });
    fireEvent.change(dialog.getByRole('combobox', { name: 'Resolution' }), {
      target: { value: '600' },
    });
    fireEvent.click(dialog.getByRole('button', { name: 'Start scan' }));
    await dialog.findByRole('button', { name: 'Cancel scan' });

    const [[request]] = fake.fn('scan').mock.calls as unknown as [[Record<string, unknown>]];
    expect(request).toEqual({
      jobId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      deviceId: 'epson2:net:10.0.0.5',
      source: 'feeder-duplex',
      colour: 'lineart',
      resolution: 600,
    });
  });

  it('shows pages as the feeder delivers them and cancels through ingest:cancel', async () => {
    const dialog = await openDialog();
    fireEvent.click(dialog.getByRole('button', { name: 'Start scan' }));
    await dialog.findByRole('button', { name: 'Cancel scan' });
    const [[{ jobId }]] = fake.fn('scan').mock.calls as unknown as [[{ jobId: string }]];
    const scanned = (n: number, blank = false) => ({
      jobId,
      page: { number: n, blank, thumbnail: page().thumbnail },
    });

    act(() => fake.emit('onScanPage', scanned(1)));
    act(() => fake.emit('onScanPage', { ...scanned(7), jobId: crypto.randomUUID() }));
    act(() => fake.emit('onScanPage', scanned(2, true)));
    const pages = dialog.getByRole('list', { name: 'Scanned pages' });
    expect(
      within(pages)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['Page 1', 'Page 2 · looks blank']);
    expect(dialog.getByText('Scanning… 2 pages so far')).toBeTruthy();
    expect(dialog.getByRole('button', { name: 'Close' })).toHaveProperty('disabled', true);

    fireEvent.click(dialog.getByRole('button', { name: 'Cancel scan' }));
    await act(async () => undefined);
    expect(fake.fn('cancelIngest').mock.calls).toEqual([[{ jobId }]]);

    await act(async () => finishScan({ pagesScanned: 2, cancelled: true }));
    expect(
      dialog.getByText('Scan cancelled; the 2 pages already scanned are in the inbox.'),
    ).toBeTruthy();
    fireEvent.click(dialog.getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('opens the new scan in the inbox when the dialog closes', async () => {
    const dialog = await openDialog();
    fireEvent.click(dialog.getByRole('button', { name: 'Start scan' }));
    await dialog.findByRole('button', { name: 'Cancel scan' });
    const older = pdfItem('older.pdf');
    const scanned = pdfItem('Scan 2026-11-28 00.50.pdf', 2, { source: 'scanner' });
    act(() => fake.emit('onInboxChanged', { items: [older, scanned] }));
    await act(async () => finishScan({ item: scanned, pagesScanned: 2, cancelled: false }));
    expect(dialog.getByText('Scanned 2 pages into the inbox.')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Pages of older.pdf' })).toBeTruthy();

    fireEvent.keyDown(screen.getByRole('dialog', { name: 'Scan' }), { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(
      screen.getByRole('heading', { name: 'Pages of Scan 2026-11-28 00.50.pdf' }),
    ).toBeTruthy();
  });

  it('says why a scan failed', async () => {
    const dialog = await openDialog();
    fake
      .fn('scan')
      .mockImplementation(() => Promise.reject(new Error('The feeder is empty: load paper.')));
    fireEvent.click(dialog.getByRole('button', { name: 'Start scan' }));
    expect((await dialog.findByRole('alert')).textContent).toBe(
      'The scan failed: The feeder is empty: load paper.',
    );
  });

  it('says when no scanner is found', async () => {
    fake = installFakeApi({
      listInbox: () => Promise.resolve({ items: [] }),
      listScanners: () => Promise.resolve([]),
    });
    render(<InboxScreen />);
    fireEvent.click(await screen.findByRole('button', { name: 'Scan…' }));
    expect(await screen.findByText(/No scanner found/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Start scan' })).toHaveProperty('disabled', true);
  });
});

describe('scanner defaults', () => {
  it('starts from the scanner, source, mode and resolution chosen in Settings', async () => {
    fake = installFakeApi({
      getSettings: () =>
        Promise.resolve({
          scanner: {
            device: 'epson2:net:10.0.0.5',
            source: 'ADF Duplex',
            mode: 'Lineart',
            resolution: 600,
          },
        }),
      listScanners: () => Promise.resolve(devices),
      getScannerCapabilities: () =>
        Promise.resolve({
          sources: ['feeder', 'feeder-duplex'],
          colours: ['color', 'gray', 'lineart'],
          resolutions: [150, 200, 600],
        }),
    });
    const store = createScanStore({ api: () => fake.api, newJobId: () => crypto.randomUUID() });
    await store.getState().findScanners();
    expect(store.getState()).toMatchObject({
      deviceId: 'epson2:net:10.0.0.5',
      source: 'feeder-duplex',
      colour: 'lineart',
      resolution: 600,
    });
  });

  it('falls back to the first scanner and what it offers first without settings', async () => {
    fake = installFakeApi({
      getSettings: () => Promise.reject(new Error('settings unreadable')),
      listScanners: () => Promise.resolve(devices),
      getScannerCapabilities: () =>
        Promise.resolve({ sources: ['flatbed'], colours: ['gray'], resolutions: [] }),
    });
    const store = createScanStore({ api: () => fake.api, newJobId: () => crypto.randomUUID() });
    await store.getState().findScanners();
    expect(store.getState()).toMatchObject({
      deviceId: 'test:0',
      source: 'flatbed',
      colour: 'gray',
      resolution: 300,
    });
  });
});

describe('nearestResolution', () => {
  it('picks the nearest offered value, or clamps to a range', () => {
    expect(nearestResolution([75, 150, 600], 300)).toBe(150);
    expect(nearestResolution([], 300)).toBe(300);
    expect(nearestResolution({ min: 50, max: 200 }, 300)).toBe(200);
  });
});
