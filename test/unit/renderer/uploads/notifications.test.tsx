// @vitest-environment jsdom
// The OS notification when a batch finishes or fails: once per batch, after its last file, asking
// for permission when it was never decided, and no crash where notifications do not exist.
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest';
import type { UploadItem } from '../../../../src/shared/ipc/contract.js';
import { StatusBar } from '../../../../src/renderer/src/features/uploads/StatusBar.js';
import { useUploads } from '../../../../src/renderer/src/features/uploads/store.js';
import { installFakeApi, type FakeApi } from './fake-api.js';

interface Shown {
  title: string;
  body?: string;
}

let shown: Shown[];
let permission: NotificationPermission;
let requestPermission: Mock<() => Promise<NotificationPermission>>;

class FakeNotification {
  static get permission() {
    return permission;
  }
  static requestPermission = () => requestPermission();
  constructor(title: string, options?: NotificationOptions) {
    shown.push({ title, body: options?.body });
  }
}

let n = 0;
function member(batchId: string | null, change: Partial<UploadItem> = {}): UploadItem {
  n++;
  return {
    id: `n-${n}`,
    fileName: `scan-${n}.pdf`,
    batchId,
    state: 'uploading',
    bytesSent: 10,
    size: 100,
    rate: 1,
    etaSeconds: 90,
    documentId: null,
    ...change,
  };
}

let fake: FakeApi;

async function showQueue(items: UploadItem[]) {
  fake = installFakeApi({
    listUploads: () =>
      Promise.resolve({ items, summary: { pending: items.length, online: true, signedIn: true } }),
  });
  render(<StatusBar />);
  await screen.findByText('Online');
}

const update = (item: UploadItem, change: Partial<UploadItem>) =>
  act(() => fake.emit('onUploadsChanged', { type: 'item', item: { ...item, ...change } }));

beforeEach(() => {
  useUploads.setState(useUploads.getInitialState(), true);
  shown = [];
  permission = 'granted';
  requestPermission = vi.fn(() => Promise.resolve<NotificationPermission>('granted'));
  vi.stubGlobal('Notification', FakeNotification);
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('upload notifications', () => {
  it('announces a batch once, when its last file is done', async () => {
    const batch = 'batch-done';
    const [a, b, c] = [member(batch), member(batch), member(batch)];
    await showQueue([a!, b!, c!]);

    update(a!, { state: 'done' });
    update(b!, { state: 'done' });
    expect(shown).toEqual([]);
    update(c!, { state: 'done' });
    expect(shown).toEqual([
      {
        title: 'Upload finished',
        body: "All 3 documents of the batch are saved to the patient's chart.",
      },
    ]);
    update(c!, { state: 'done', documentId: 'doc' });
    expect(shown).toHaveLength(1);
  });

  it('announces a single file by name', async () => {
    const lone = member(null, { fileName: 'letter.pdf' });
    await showQueue([lone]);
    update(lone, { state: 'committing' });
    update(lone, { state: 'done' });
    expect(shown).toEqual([
      { title: 'Upload finished', body: "letter.pdf is saved to the patient's chart." },
    ]);
  });

  it('announces a failed batch once, with the reason', async () => {
    const batch = 'batch-failed';
    const [a, b] = [member(batch, { fileName: 'a.pdf' }), member(batch, { fileName: 'b.pdf' })];
    await showQueue([a!, b!]);
    const error = { code: 'storage_refused', message: 'The storage refused a.pdf' };
    update(a!, { state: 'failed', error });
    update(b!, { state: 'failed', error: { code: 'batch_failed', message: 'Its batch failed' } });
    expect(shown).toEqual([{ title: 'Upload failed', body: 'a.pdf: The storage refused a.pdf' }]);
  });

  it('announces nothing for files already finished when the queue was first listed', async () => {
    const done = member('old', { state: 'done' });
    await showQueue([done]);
    update(done, { state: 'done' });
    expect(shown).toEqual([]);
  });

  it('asks for permission when it was never decided, then shows', async () => {
    permission = 'default';
    const lone = member(null, { fileName: 'x.pdf' });
    await showQueue([lone]);
    update(lone, { state: 'done' });
    await act(async () => undefined);
    expect(requestPermission).toHaveBeenCalledTimes(1);
    expect(shown.map((s) => s.title)).toEqual(['Upload finished']);
  });

  it('shows nothing when the user refused notifications', async () => {
    permission = 'denied';
    const lone = member(null);
    await showQueue([lone]);
    update(lone, { state: 'done' });
    await act(async () => undefined);
    expect(requestPermission).not.toHaveBeenCalled();
    expect(shown).toEqual([]);
  });

  it('keeps working where the platform has no notifications', async () => {
    vi.stubGlobal('Notification', undefined);
    const lone = member(null, { fileName: 'y.pdf' });
    await showQueue([lone]);
    update(lone, { state: 'done' });
    expect(screen.getByText('Online')).toBeTruthy();
  });
});
