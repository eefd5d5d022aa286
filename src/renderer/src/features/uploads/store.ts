// The upload queue as the renderer knows it: every item main lists, kept current by main's
// uploads events, and the actions on them (pause, resume, retry, cancel; one item or all). It
// also notices when a batch has finished or failed and says so with an OS notification.
import { create } from 'zustand';
import { messageOf } from '../../lib/errors.js';
import type {
  ExposedApi,
  UploadEvent,
  UploadItem,
  UploadQueueState,
} from '../../../../shared/ipc/contract.js';
import { showNotification, type Notify } from './notify.js';

export type UploadSummary = UploadQueueState['summary'];
export type UploadAction = 'pause' | 'resume' | 'retry' | 'cancel';

/** The window.api functions this feature calls. */
export type UploadsApi = Pick<
  ExposedApi,
  | 'listUploads'
  | 'pauseUploads'
  | 'resumeUploads'
  | 'retryUploads'
  | 'cancelUploads'
  | 'onUploadsChanged'
>;

export interface UploadsState {
  status: 'idle' | 'loading' | 'ready' | 'failed';
  /** why the queue could not be listed */
  loadError: string | null;
  items: UploadItem[];
  summary: UploadSummary | null;
  /** why the last pause/resume/retry/cancel did not happen */
  actionError: string | null;
  /** Subscribes to main's events and lists the queue; the returned function disconnects. */
  connect(): () => void;
  load(): Promise<void>;
  apply(event: UploadEvent): void;
  act(action: UploadAction, id?: string): Promise<void>;
}

export interface UploadsDependencies {
  api(): UploadsApi;
  notify: Notify;
}

export function createUploadsStore(deps: UploadsDependencies) {
  let connections = 0;
  let unsubscribe: (() => void) | null = null;
  /** events that arrived while the list was being fetched, applied on top of it */
  let pendingEvents: UploadEvent[] | null = null;
  /** batches (or lone items) whose outcome was announced, so each is announced once */
  const announced = new Set<string>();

  return create<UploadsState>((set, get) => {
    const announce = (before: UploadItem | undefined, item: UploadItem, items: UploadItem[]) => {
      if (before === undefined || before.state === item.state) return;
      const key = item.batchId ?? item.id;
      if (item.state === 'failed') {
        if (announced.has(`failed:${key}`)) return;
        announced.add(`failed:${key}`);
        announced.delete(`done:${key}`);
        deps.notify({
          title: 'Upload failed',
          body: `${item.fileName}: ${item.error?.message ?? 'the server did not accept it.'}`,
          tag: key,
        });
      } else if (item.state === 'done') {
        const members = item.batchId ? items.filter((i) => i.batchId === item.batchId) : [item];
        if (!members.every((i) => i.state === 'done') || announced.has(`done:${key}`)) return;
        announced.add(`done:${key}`);
        announced.delete(`failed:${key}`);
        deps.notify({
          title: 'Upload finished',
          body:
            members.length === 1
              ? `${item.fileName} is saved to the patient's chart.`
              : `All ${members.length} documents of the batch are saved to the patient's chart.`,
          tag: key,
        });
      } else if (before.state === 'failed') {
        // Tried again: its next outcome is news again.
        announced.delete(`failed:${key}`);
      }
    };

    const applyOne = (event: UploadEvent) => {
      switch (event.type) {
        case 'summary':
          set({ summary: event.summary });
          return;
        case 'removed':
          set({ items: get().items.filter((i) => i.id !== event.id) });
          return;
        case 'item': {
          const items = get().items;
          const index = items.findIndex((i) => i.id === event.item.id);
          const next =
            index === -1
              ? [...items, event.item]
              : items.map((i, n) => (n === index ? event.item : i));
          set({ items: next });
          announce(index === -1 ? undefined : items[index], event.item, next);
        }
      }
    };

    return {
      status: 'idle',
      loadError: null,
      items: [],
      summary: null,
      actionError: null,

      connect() {
        connections++;
        if (connections === 1) {
          unsubscribe = deps.api().onUploadsChanged((event) => get().apply(event));
          void get().load();
        }
        let connected = true;
        return () => {
          if (!connected) return;
          connected = false;
          connections--;
          if (connections === 0) {
            unsubscribe?.();
            unsubscribe = null;
          }
        };
      },

      async load() {
        set({ status: get().status === 'ready' ? 'ready' : 'loading', loadError: null });
        pendingEvents = [];
        try {
          const state = await deps.api().listUploads();
          const missed = pendingEvents;
          pendingEvents = null;
          set({ status: 'ready', items: state.items, summary: state.summary });
          missed.forEach(applyOne);
        } catch (error) {
          pendingEvents = null;
          set({
            status: 'failed',
            loadError: `The upload queue could not be listed: ${messageOf(error)}`,
          });
        }
      },

      apply(event) {
        if (pendingEvents) pendingEvents.push(event);
        else applyOne(event);
      },

      async act(action, id) {
        set({ actionError: null });
        const api = deps.api();
        const target = id === undefined ? {} : { id };
        try {
          const state = await {
            pause: () => api.pauseUploads(target),
            resume: () => api.resumeUploads(target),
            retry: () => api.retryUploads(target),
            cancel: () => api.cancelUploads(target),
          }[action]();
          set({ summary: state.summary });
          for (const item of state.items) applyOne({ type: 'item', item });
          const listed = new Set(state.items.map((i) => i.id));
          set({ items: get().items.filter((i) => listed.has(i.id)) });
        } catch (error) {
          const what = id === undefined ? 'the uploads' : nameOf(get().items, id);
          set({ actionError: `Could not ${action} ${what}: ${messageOf(error)}` });
        }
      },
    };
  });
}

export const useUploads = createUploadsStore({
  api: () => window.api,
  notify: showNotification,
});

/** Bytes and rates over the whole queue, for the overall progress bar. Failed items are left out: they move no more bytes until retried. */
export function overallProgress(items: readonly UploadItem[]) {
  const counted = items.filter((i) => i.state !== 'failed');
  const size = counted.reduce((sum, i) => sum + i.size, 0);
  const sent = counted.reduce((sum, i) => sum + (i.state === 'done' ? i.size : i.bytesSent), 0);
  const rate = counted.reduce((sum, i) => sum + (i.state === 'uploading' ? i.rate : 0), 0);
  return {
    size,
    sent,
    rate,
    etaSeconds: rate > 0 ? (size - sent) / rate : null,
    done: items.filter((i) => i.state === 'done').length,
    failed: items.length - counted.length,
    total: items.length,
  };
}

function nameOf(items: readonly UploadItem[], id: string): string {
  return items.find((i) => i.id === id)?.fileName ?? 'that upload';
}
