// @vitest-environment jsdom
// Dropping files anywhere in the window: paths to main in the desktop app, bytes in calls of at
// most 64 MB in a browser; progress with cancel; and the report, where every refused file is
// named with its reason.
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IngestReport } from '../../../../src/shared/ingest/model.js';
import { MAX_INGEST_BYTES_PER_CALL } from '../../../../src/shared/ipc/ingest.js';
import { DropZone } from '../../../../src/renderer/src/features/inbox/DropZone.js';
import {
  chunk,
  useImport,
  type PickedFile,
} from '../../../../src/renderer/src/features/inbox/import-store.js';
import { installFakeApi, type FakeApi } from '../uploads/fake-api.js';
import { pdfItem } from './fixtures.js';

let fake: FakeApi;

function report(change: Partial<IngestReport> = {}): IngestReport {
  return {
    jobId: crypto.randomUUID(),
    added: [],
    duplicates: [],
    rejected: [],
    skipped: 0,
    cancelled: false,
    ...change,
  };
}

function drop(files: File[]) {
  const target = screen.getByText('Window content');
  const dataTransfer = { files, items: [], types: ['Files'] };
  fireEvent.dragEnter(target, { dataTransfer });
  fireEvent.dragOver(target, { dataTransfer });
  fireEvent.drop(target, { dataTransfer });
}

function renderWindow() {
  render(
    <DropZone>
      <p>Window content</p>
    </DropZone>,
  );
}

beforeEach(() => {
  useImport.setState(useImport.getInitialState(), true);
});
afterEach(cleanup);

describe('DropZone', () => {
  it('sends dropped files as base64 bytes when there are no paths, and reports each outcome', async () => {
    const added = pdfItem('letter.pdf');
    fake = installFakeApi({
      ingestFiles: () =>
        Promise.resolve(
          report({
            added: [added],
            duplicates: [{ path: 'again.pdf', fileName: 'again.pdf', itemId: added.id }],
            rejected: [
              {
                path: 'virus.exe',
                fileName: 'virus.exe',
                code: 'unsupported_type',
                reason:
                  'virus.exe is a Windows program, which cannot be filed. Add PDFs, images, DICOM or video.',
              },
              {
                path: 'empty.pdf',
                fileName: 'empty.pdf',
                code: 'empty',
                reason: 'The file is empty.',
              },
            ],
          }),
        ),
    });
    renderWindow();
    drop([
      new File(['%PDF-1.7 letter'], 'letter.pdf', { type: 'application/pdf' }),
      new File(['%PDF-1.7 letter'], 'again.pdf'),
      new File(['MZ'], 'virus.exe'),
      new File([], 'empty.pdf'),
    ]);

    const rejected = await screen.findByRole('list', { name: 'Not added' });
    expect(
      within(rejected)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual([
      'virus.exe is a Windows program, which cannot be filed. Add PDFs, images, DICOM or video.',
      'empty.pdf: The file is empty.',
    ]);
    expect(screen.getByText('1 file added to the inbox.')).toBeTruthy();
    expect(
      within(screen.getByRole('list', { name: 'Already in the inbox' })).getByText('again.pdf'),
    ).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Import finished' })).toBeTruthy();

    const [[input]] = fake.fn('ingestFiles').mock.calls as unknown as [[{ files: unknown[] }]];
    expect(input.files).toEqual([
      { name: 'letter.pdf', data: btoa('%PDF-1.7 letter') },
      { name: 'again.pdf', data: btoa('%PDF-1.7 letter') },
      { name: 'virus.exe', data: btoa('MZ') },
      { name: 'empty.pdf', data: '' },
    ]);
    expect(fake.fn('ingestPaths')).not.toHaveBeenCalled();
  });

  it('hands main the paths of dropped files in the desktop app, not their bytes', async () => {
    fake = installFakeApi({
      pathForFile: (file: File) => `/home/desk/Scans/${file.name}`,
      ingestPaths: () => Promise.resolve(report({ skipped: 2 })),
    });
    renderWindow();
    drop([new File(['a'], 'a.pdf'), new File(['b'], 'Folder')]);
    expect(await screen.findByText('2 hidden or system files were skipped.')).toBeTruthy();
    const [[input]] = fake.fn('ingestPaths').mock.calls as unknown as [
      [{ paths: string[]; jobId: string }],
    ];
    expect(input.paths).toEqual(['/home/desk/Scans/a.pdf', '/home/desk/Scans/Folder']);
    expect(input.jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(fake.fn('ingestFiles')).not.toHaveBeenCalled();
  });

  it('shows progress from main and cancels the running job', async () => {
    let finish!: (value: IngestReport) => void;
    fake = installFakeApi({
      pathForFile: (file: File) => `/tmp/${file.name}`,
      ingestPaths: () => new Promise<IngestReport>((resolve) => (finish = resolve)),
      cancelIngest: () => Promise.resolve({ cancelled: true }),
    });
    renderWindow();
    drop([new File(['a'], 'a.pdf'), new File(['b'], 'b.pdf')]);
    await screen.findByRole('progressbar', { name: 'Import progress' });
    const [[{ jobId }]] = fake.fn('ingestPaths').mock.calls as unknown as [[{ jobId: string }]];

    act(() => fake.emit('onIngestProgress', { jobId: crypto.randomUUID(), done: 9, total: 9 }));
    act(() => fake.emit('onIngestProgress', { jobId, done: 1, total: 4, fileName: 'a.pdf' }));
    const bar = screen.getByRole('progressbar', { name: 'Import progress' });
    expect(bar.getAttribute('aria-valuenow')).toBe('25');
    expect(screen.getByText('Adding a.pdf (1 of 4)')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Cancel import' }));
    await act(async () => undefined);
    expect(fake.fn('cancelIngest').mock.calls).toEqual([[{ jobId }]]);

    await act(async () => finish(report({ cancelled: true, added: [pdfItem('a.pdf')] })));
    expect(screen.getByRole('heading', { name: 'Import cancelled' })).toBeTruthy();
    expect(screen.getByText('1 file added to the inbox.')).toBeTruthy();
  });

  it('says so when main cannot take the files at all', async () => {
    fake = installFakeApi({
      ingestFiles: () => Promise.reject(new Error('The inbox is full: free some disk space.')),
    });
    renderWindow();
    drop([new File(['x'], 'x.pdf')]);
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The files could not be added: The inbox is full: free some disk space.',
    );
  });

  it('ignores drags that carry no files (a page moved within the inbox)', () => {
    fake = installFakeApi();
    renderWindow();
    const target = screen.getByText('Window content');
    const dataTransfer = { files: [], items: [], types: ['application/x-medaius-inbox-page'] };
    fireEvent.drop(target, { dataTransfer });
    expect(screen.queryByRole('heading', { name: /Import/ })).toBeNull();
  });
});

describe('chunk', () => {
  const picked = (name: string, size: number): PickedFile => ({
    file: { name, size } as File,
    relativePath: name,
  });
  const MB = 1024 * 1024;

  it('packs files into calls of at most 64 MB and refuses a bigger file by name', () => {
    const { calls, tooLarge } = chunk([
      picked('a', 40 * MB),
      picked('b', 20 * MB),
      picked('c', 10 * MB),
      picked('huge.mp4', MAX_INGEST_BYTES_PER_CALL + 1),
      picked('d', 64 * MB),
    ]);
    expect(calls.map((call) => call.map((p) => p.file.name))).toEqual([['a', 'b'], ['c'], ['d']]);
    expect(tooLarge.map((r) => r.reason)).toEqual([
      'huge.mp4 is larger than 64 MB, more than a browser window can hand over. Add it in the desktop app, which reads it from disk.',
    ]);
  });
});
