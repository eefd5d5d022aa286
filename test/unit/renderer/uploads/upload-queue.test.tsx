// @vitest-environment jsdom
// The upload queue screen and status bar as a user sees them: the words for each state, the
// progress bars' values, the overall sum, the buttons' calls, and main's events updating them.
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UploadItem, UploadQueueState } from '../../../../src/shared/ipc/contract.js';
import { StatusBar } from '../../../../src/renderer/src/features/uploads/StatusBar.js';
import { UploadQueueScreen } from '../../../../src/renderer/src/features/uploads/UploadQueueScreen.js';
import { useUploads } from '../../../../src/renderer/src/features/uploads/store.js';
import { useSession } from '../../../../src/renderer/src/features/session/useSession.js';
import { installFakeApi, type FakeApi } from './fake-api.js';

let nextId = 0;
function item(change: Partial<UploadItem>): UploadItem {
  return {
    id: `item-${++nextId}`,
    fileName: `file-${nextId}.pdf`,
    batchId: null,
    state: 'queued',
    bytesSent: 0,
    size: 1000,
    rate: 0,
    etaSeconds: null,
    documentId: null,
    ...change,
  };
}

const online = { pending: 0, online: true, signedIn: true };

function queue(items: UploadItem[], summary = { ...online, pending: items.length }) {
  return { items, summary } satisfies UploadQueueState;
}

let fake: FakeApi;

function serve(state: UploadQueueState) {
  fake = installFakeApi({
    listUploads: () => Promise.resolve(state),
    pauseUploads: () => Promise.resolve(state),
    resumeUploads: () => Promise.resolve(state),
    retryUploads: () => Promise.resolve(state),
    cancelUploads: () => Promise.resolve(state),
  });
}

const valueOf = (name: string) =>
  Number(screen.getByRole('progressbar', { name }).getAttribute('aria-valuenow'));

beforeEach(() => {
  useUploads.setState(useUploads.getInitialState(), true);
});
afterEach(cleanup);

describe('UploadQueueScreen', () => {
  it('names each state in words and shows each file’s progress', async () => {
    serve(
      queue([
        item({ fileName: 'queued.pdf', state: 'queued' }),
        item({
          fileName: 'moving.pdf',
          state: 'uploading',
          bytesSent: 250,
          rate: 2 * 1024 * 1024,
          etaSeconds: 90,
        }),
        item({ fileName: 'paused.pdf', state: 'paused', bytesSent: 500 }),
        item({ fileName: 'offline.pdf', state: 'waiting-for-network', bytesSent: 100 }),
        item({ fileName: 'signin.pdf', state: 'waiting-for-sign-in' }),
        item({
          fileName: 'refused.pdf',
          state: 'failed',
          error: {
            code: 'storage_refused',
            message: 'The storage refused refused.pdf: quota exceeded',
          },
        }),
        item({ fileName: 'done.pdf', state: 'done', bytesSent: 1000 }),
      ]),
    );
    render(<UploadQueueScreen />);

    const row = async (name: string) => within(await screen.findByRole('listitem', { name }));
    expect((await row('queued.pdf')).getByText('Queued')).toBeTruthy();
    expect((await row('moving.pdf')).getByText('Uploading')).toBeTruthy();
    expect(
      (await row('moving.pdf')).getByText('250 bytes of 1000 bytes · 2.0 MB/s · 1 min 30 s left'),
    ).toBeTruthy();
    expect((await row('paused.pdf')).getByText('Paused')).toBeTruthy();
    expect((await row('offline.pdf')).getByText('Waiting for network')).toBeTruthy();
    expect((await row('signin.pdf')).getByText('Waiting for sign-in')).toBeTruthy();
    expect(
      (await row('refused.pdf')).getByText(
        'Failed: The storage refused refused.pdf: quota exceeded',
      ),
    ).toBeTruthy();
    expect((await row('done.pdf')).getByText('Done')).toBeTruthy();

    expect(valueOf('moving.pdf progress')).toBe(25);
    expect(valueOf('paused.pdf progress')).toBe(50);
    expect(valueOf('done.pdf progress')).toBe(100);
    expect(valueOf('queued.pdf progress')).toBe(0);
  });

  it('sums the overall progress over the files still to send, leaving failed ones out', async () => {
    serve(
      queue([
        item({ state: 'uploading', bytesSent: 300, size: 1000, rate: 100 }),
        item({ state: 'done', bytesSent: 2000, size: 2000 }),
        item({ state: 'queued', bytesSent: 0, size: 1000 }),
        item({ state: 'failed', bytesSent: 10, size: 5000, error: { code: 'x', message: 'no' } }),
      ]),
    );
    render(<UploadQueueScreen />);
    await screen.findByRole('list', { name: 'Uploads' });

    // (300 + 2000 + 0) of (1000 + 2000 + 1000) = 57.5 %
    expect(valueOf('Overall progress')).toBe(57);
    expect(screen.getByText(/1 of 4 done, 1 failed/)).toBeTruthy();
  });

  it('never shows 100 % overall before every byte is sent', async () => {
    serve(queue([item({ state: 'uploading', bytesSent: 999, size: 1000 })]));
    render(<UploadQueueScreen />);
    await screen.findByRole('list', { name: 'Uploads' });
    expect(valueOf('Overall progress')).toBe(99);
  });

  it('pauses, resumes, retries and cancels one file or all through main', async () => {
    const paused = item({ fileName: 'p.pdf', state: 'paused' });
    const failed = item({
      fileName: 'f.pdf',
      state: 'failed',
      error: { code: 'x', message: 'no' },
    });
    const moving = item({ fileName: 'm.pdf', state: 'uploading' });
    serve(queue([paused, failed, moving]));
    render(<UploadQueueScreen />);

    fireEvent.click(await screen.findByRole('button', { name: 'Resume p.pdf' }));
    fireEvent.click(screen.getByRole('button', { name: 'Retry f.pdf' }));
    fireEvent.click(screen.getByRole('button', { name: 'Pause m.pdf' }));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel m.pdf' }));
    fireEvent.click(screen.getByRole('button', { name: 'Stop and discard' }));
    fireEvent.click(screen.getByRole('button', { name: 'Pause all' }));
    fireEvent.click(screen.getByRole('button', { name: 'Resume all' }));
    fireEvent.click(screen.getByRole('button', { name: 'Retry all failed' }));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel all' }));
    fireEvent.click(screen.getByRole('button', { name: 'Stop and discard' }));
    await act(async () => undefined);

    expect(fake.fn('resumeUploads').mock.calls).toEqual([[{ id: paused.id }], [{}]]);
    expect(fake.fn('retryUploads').mock.calls).toEqual([[{ id: failed.id }], [{}]]);
    expect(fake.fn('pauseUploads').mock.calls).toEqual([[{ id: moving.id }], [{}]]);
    expect(fake.fn('cancelUploads').mock.calls).toEqual([[{ id: moving.id }], [{}]]);
  });

  it('asks before cancelling, since a cancelled file is discarded with its batch', async () => {
    const batch = 'b-1';
    const mine = item({ fileName: 'one.pdf', state: 'uploading', batchId: batch });
    const mate = item({ fileName: 'two.pdf', state: 'queued', batchId: batch });
    serve(queue([mine, mate]));
    render(<UploadQueueScreen />);

    fireEvent.click(await screen.findByRole('button', { name: 'Cancel one.pdf' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Stop uploading one.pdf?' });
    expect(dialog.textContent).toMatch(/the other file of the batch stop too/);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(fake.fn('cancelUploads')).not.toHaveBeenCalled();
  });

  it('says why an action failed', async () => {
    const moving = item({ fileName: 'm.pdf', state: 'uploading' });
    serve(queue([moving]));
    fake.fn('pauseUploads').mockImplementation(() => Promise.reject(new Error('main is busy')));
    render(<UploadQueueScreen />);
    fireEvent.click(await screen.findByRole('button', { name: 'Pause m.pdf' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Could not pause m.pdf: main is busy',
    );
  });

  it('follows main’s events: progress, new files and removed ones', async () => {
    const first = item({ fileName: 'a.pdf', state: 'queued' });
    serve(queue([first]));
    render(<UploadQueueScreen />);
    await screen.findByRole('listitem', { name: 'a.pdf' });

    act(() => {
      fake.emit('onUploadsChanged', {
        type: 'item',
        item: { ...first, state: 'uploading', bytesSent: 750 },
      });
      fake.emit('onUploadsChanged', { type: 'item', item: item({ fileName: 'b.pdf' }) });
    });
    expect(valueOf('a.pdf progress')).toBe(75);
    expect(
      within(screen.getByRole('listitem', { name: 'a.pdf' })).getByText('Uploading'),
    ).toBeTruthy();
    expect(screen.getByRole('listitem', { name: 'b.pdf' })).toBeTruthy();

    act(() => fake.emit('onUploadsChanged', { type: 'removed', id: first.id }));
    expect(screen.queryByRole('listitem', { name: 'a.pdf' })).toBeNull();
  });

  it('keeps an event that arrives while the queue is being listed', async () => {
    const first = item({ fileName: 'a.pdf', state: 'queued' });
    let answer!: (state: UploadQueueState) => void;
    fake = installFakeApi({
      listUploads: () => new Promise<UploadQueueState>((resolve) => (answer = resolve)),
    });
    render(<UploadQueueScreen />);
    act(() =>
      fake.emit('onUploadsChanged', {
        type: 'item',
        item: { ...first, state: 'done', bytesSent: 1000 },
      }),
    );
    await act(async () => answer(queue([first])));
    expect(within(screen.getByRole('listitem', { name: 'a.pdf' })).getByText('Done')).toBeTruthy();
  });
});

describe('StatusBar', () => {
  it('says "Waiting for network" when offline with work pending', async () => {
    serve(
      queue([item({ state: 'waiting-for-network' })], {
        pending: 3,
        online: false,
        signedIn: true,
      }),
    );
    render(<StatusBar />);
    expect(await screen.findByText('Waiting for network', { exact: true })).toBeTruthy();
    expect(screen.getByText('3 uploads pending')).toBeTruthy();
  });

  it('says online and how many are pending, and follows the summary events', async () => {
    serve(queue([], { pending: 1, online: true, signedIn: true }));
    render(<StatusBar />);
    expect(await screen.findByText('Online')).toBeTruthy();
    expect(screen.getByText('1 upload pending')).toBeTruthy();

    act(() =>
      fake.emit('onUploadsChanged', {
        type: 'summary',
        summary: { pending: 0, online: false, signedIn: true },
      }),
    );
    expect(screen.getByText('Offline')).toBeTruthy();
    expect(screen.getByText('No uploads pending')).toBeTruthy();
  });

  it('says "Offline" once any request found the server gone, before an upload has tried', async () => {
    serve(queue([], { pending: 0, online: true, signedIn: true }));
    render(<StatusBar />);
    expect(await screen.findByText('Online')).toBeTruthy();

    const signedIn = {
      signedIn: true,
      serverUrl: 'http://127.0.0.1:4000',
      user: { id: 'u1', email: 'clinician@riverside.test' },
      message: null,
    } as unknown as Extract<
      NonNullable<ReturnType<typeof useSession.getState>['session']>,
      { signedIn: true }
    >;
    act(() => useSession.setState({ session: { ...signedIn, offline: true } }));
    expect(screen.getByText('Offline')).toBeTruthy();
    act(() => useSession.setState({ session: { ...signedIn, offline: false } }));
    expect(screen.getByText('Online')).toBeTruthy();
    act(() => useSession.setState({ session: null }));
  });

  it('shares one subscription with the queue screen and drops it when both are gone', async () => {
    serve(queue([]));
    const view = render(
      <>
        <StatusBar />
        <UploadQueueScreen />
      </>,
    );
    await screen.findByText('Online');
    expect(fake.listeners('onUploadsChanged')).toBe(1);
    expect(fake.fn('listUploads')).toHaveBeenCalledTimes(1);
    view.unmount();
    expect(fake.listeners('onUploadsChanged')).toBe(0);
  });
});
