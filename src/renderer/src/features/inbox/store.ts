// The inbox as the renderer knows it: the unfiled items main lists (kept current by its
// ingest:changed events), which of them the user has checked, the one whose pages are open, the
// pages picked in it, the thumbnails fetched so far, and what the user assigns when filing.
// Every change to items goes through main; this store only mirrors what main answers.
import { create } from 'zustand';
import { messageOf } from '../../lib/errors.js';
import type { Category } from '../../../../shared/domain.js';
import type { Encounter, Patient } from '../../../../shared/api/schemas.js';
import type { FilingRequest, InboxItem } from '../../../../shared/ingest/model.js';
import { ingestApi, type IngestApi, type Turn } from './ingest-api.js';

export interface Assignment {
  patient: Patient | null;
  encounterId: string | null;
  category: Category | null;
  /** empty: each document keeps its own name */
  title: string;
  /** yyyy-mm-dd or empty */
  documentDate: string;
}

const EMPTY_ASSIGNMENT: Assignment = {
  patient: null,
  encounterId: null,
  category: null,
  title: '',
  documentDate: '',
};

export type Thumb = { state: 'loading' } | { state: 'ready'; url: string } | { state: 'failed' };

export interface InboxState {
  status: 'idle' | 'loading' | 'ready' | 'failed';
  loadError: string | null;
  items: InboxItem[];
  /** items checked for filing or merging, in the order they were checked */
  checked: string[];
  /** the item whose pages and details are shown */
  openId: string | null;
  /** pages picked in the open item */
  pickedPages: string[];
  thumbs: Record<string, Thumb>;
  encounters: { patientId: string; list: Encounter[] } | null;
  assignment: Assignment;
  /** what is being done right now, for a busy indicator ("Rotating pages…") */
  busy: string | null;
  /** why the last action failed, in words the user can act on */
  error: string | null;
  /** what the last action did ("3 items filed") */
  notice: string | null;

  connect(): () => void;
  load(): Promise<void>;
  setItems(items: InboxItem[]): void;
  toggleChecked(itemId: string, checked?: boolean): void;
  checkAll(checked: boolean): void;
  open(itemId: string | null): void;
  togglePage(pageId: string, picked?: boolean): void;
  thumbnail(sha256: string): void;

  rotate(turn: Turn): Promise<void>;
  movePage(pageId: string, toIndex: number): Promise<void>;
  deletePickedPages(): Promise<void>;
  splitAtPicked(): Promise<void>;
  mergeChecked(): Promise<void>;
  remove(itemId: string): Promise<void>;

  assign(change: Partial<Assignment>): void;
  choosePatient(patient: Patient | null): Promise<void>;
  /** the items a File button files: the checked ones, or else the open one */
  filingSet(): InboxItem[];
  file(): Promise<boolean>;
  dismissMessages(): void;
}

export function createInboxStore(api: () => IngestApi) {
  let connections = 0;
  let unsubscribe: (() => void) | null = null;

  return create<InboxState>((set, get) => {
    /**
     * Runs one change through main and shows main's answer at once: main's own inbox snapshots
     * are coalesced and come a moment later, and a second change (a page moved twice) must start
     * from the first one's result.
     */
    const run = async (busy: string, work: () => Promise<void>, notice?: string) => {
      set({ busy, error: null, notice: null });
      try {
        await work();
        set({ notice: notice ?? null });
        return true;
      } catch (error) {
        set({ error: messageOf(error) });
        return false;
      } finally {
        set({ busy: null });
      }
    };

    /** Takes out the items `removed` and puts `added` where the first of them was. */
    const replace = (removed: readonly string[], added: readonly InboxItem[]) => {
      const items = get().items;
      const at = items.findIndex((i) => removed.includes(i.id));
      const kept = items.filter(
        (i) => !removed.includes(i.id) && !added.some((a) => a.id === i.id),
      );
      const index = at === -1 ? kept.length : Math.min(at, kept.length);
      get().setItems([...kept.slice(0, index), ...added, ...kept.slice(index)]);
    };

    const openItem = () => get().items.find((i) => i.id === get().openId);

    const pickedInOrder = (item: InboxItem) =>
      (item.pages ?? []).filter((p) => get().pickedPages.includes(p.id)).map((p) => p.id);

    return {
      status: 'idle',
      loadError: null,
      items: [],
      checked: [],
      openId: null,
      pickedPages: [],
      thumbs: {},
      encounters: null,
      assignment: EMPTY_ASSIGNMENT,
      busy: null,
      error: null,
      notice: null,

      connect() {
        connections++;
        if (connections === 1) {
          unsubscribe = api().onInboxChanged(({ items }) => get().setItems(items));
          void get().load();
        }
        let connected = true;
        return () => {
          if (!connected) return;
          connected = false;
          if (--connections === 0) {
            unsubscribe?.();
            unsubscribe = null;
          }
        };
      },

      async load() {
        set({ status: get().status === 'ready' ? 'ready' : 'loading', loadError: null });
        try {
          const { items } = await api().listInbox();
          get().setItems(items);
          set({ status: 'ready' });
        } catch (error) {
          set({
            status: 'failed',
            loadError: `The inbox could not be listed: ${messageOf(error)}`,
          });
        }
      },

      setItems(items) {
        const ids = new Set(items.map((i) => i.id));
        const { openId, checked, pickedPages } = get();
        const open = openId !== null && ids.has(openId) ? openId : (items[0]?.id ?? null);
        const pageIds = new Set(
          (items.find((i) => i.id === open)?.pages ?? []).map((page) => page.id),
        );
        // Thumbnails of items that left the inbox are let go; one still shown is fetched again.
        const shown = new Set(
          items.flatMap((item) =>
            [item.thumbnail, ...(item.pages ?? []).map((p) => p.thumbnail)].flatMap((t) =>
              t.status === 'ready' ? [t.file.sha256] : [],
            ),
          ),
        );
        const thumbs = Object.fromEntries(
          Object.entries(get().thumbs).filter(([sha256]) => shown.has(sha256)),
        );
        set({
          items,
          thumbs,
          checked: checked.filter((id) => ids.has(id)),
          openId: open,
          pickedPages: open === openId ? pickedPages.filter((id) => pageIds.has(id)) : [],
        });
      },

      toggleChecked(itemId, checked) {
        const current = get().checked;
        const on = checked ?? !current.includes(itemId);
        set({
          checked: on
            ? current.includes(itemId)
              ? current
              : [...current, itemId]
            : current.filter((id) => id !== itemId),
        });
      },

      checkAll(checked) {
        set({ checked: checked ? get().items.map((i) => i.id) : [] });
      },

      open(itemId) {
        if (itemId !== get().openId) set({ openId: itemId, pickedPages: [] });
      },

      togglePage(pageId, picked) {
        const current = get().pickedPages;
        const on = picked ?? !current.includes(pageId);
        set({
          pickedPages: on
            ? current.includes(pageId)
              ? current
              : [...current, pageId]
            : current.filter((id) => id !== pageId),
        });
      },

      thumbnail(sha256) {
        if (get().thumbs[sha256]) return;
        set({ thumbs: { ...get().thumbs, [sha256]: { state: 'loading' } } });
        api()
          .getInboxThumbnail({ sha256 })
          .then(
            ({ dataUrl }): Thumb => ({ state: 'ready', url: dataUrl }),
            (): Thumb => ({ state: 'failed' }),
          )
          .then((thumb) => set({ thumbs: { ...get().thumbs, [sha256]: thumb } }));
      },

      async rotate(turn) {
        const item = openItem();
        if (!item) return;
        const pageIds = pickedInOrder(item);
        if (pageIds.length === 0) return;
        await run('Rotating pages…', async () =>
          replace([item.id], [await api().rotatePages({ itemId: item.id, pageIds, turn })]),
        );
      },

      async movePage(pageId, toIndex) {
        const item = openItem();
        const pages = item?.pages;
        if (!item || !pages) return;
        const from = pages.findIndex((p) => p.id === pageId);
        const to = Math.max(0, Math.min(pages.length - 1, toIndex));
        if (from === -1 || from === to) return;
        const order = pages.map((p) => p.id);
        order.splice(from, 1);
        order.splice(to, 0, pageId);
        await run(
          'Moving the page…',
          async () =>
            replace([item.id], [await api().reorderPages({ itemId: item.id, pageIds: order })]),
          `Page ${from + 1} moved to position ${to + 1}.`,
        );
      },

      async deletePickedPages() {
        const item = openItem();
        if (!item) return;
        const pageIds = pickedInOrder(item);
        if (pageIds.length === 0) return;
        if (pageIds.length === item.pages?.length) {
          set({
            error: `Keep at least one page of "${item.originalName}", or remove the whole item instead.`,
          });
          return;
        }
        const ok = await run(
          'Deleting pages…',
          async () => replace([item.id], [await api().deletePages({ itemId: item.id, pageIds })]),
          `${plural(pageIds.length, 'page')} deleted from "${item.originalName}".`,
        );
        if (ok) set({ pickedPages: [] });
      },

      async splitAtPicked() {
        const item = openItem();
        if (!item?.pages) return;
        const first = item.pages[0]?.id;
        const startPageIds = pickedInOrder(item).filter((id) => id !== first);
        if (startPageIds.length === 0) {
          set({
            error: 'Pick the page each new document starts with (not the first page), then split.',
          });
          return;
        }
        const ok = await run(
          'Splitting…',
          async () => {
            const parts = await api().splitItem({ itemId: item.id, startPageIds });
            replace([item.id], parts);
            get().open(parts[0]?.id ?? null);
          },
          `"${item.originalName}" split into ${startPageIds.length + 1} documents.`,
        );
        if (ok) set({ pickedPages: [] });
      },

      async mergeChecked() {
        const { checked, items } = get();
        const itemIds = items.filter((i) => checked.includes(i.id)).map((i) => i.id);
        if (itemIds.length < 2) return;
        const ok = await run(
          'Merging…',
          async () => {
            const merged = await api().mergeItems({ itemIds });
            replace(itemIds, [merged]);
            get().open(merged.id);
          },
          `${itemIds.length} items merged into one.`,
        );
        if (ok) set({ checked: [] });
      },

      async remove(itemId) {
        const item = get().items.find((i) => i.id === itemId);
        await run(
          'Removing…',
          async () => {
            await api().removeItem({ itemId });
            replace([itemId], []);
          },
          `"${item?.originalName ?? 'The item'}" removed from the inbox.`,
        );
      },

      assign(change) {
        set({ assignment: { ...get().assignment, ...change } });
      },

      async choosePatient(patient) {
        set({ assignment: { ...get().assignment, patient, encounterId: null } });
        if (!patient) {
          set({ encounters: null });
          return;
        }
        try {
          const list = await api().listEncounters({ patientId: patient.id });
          if (get().assignment.patient?.id === patient.id) {
            set({ encounters: { patientId: patient.id, list } });
          }
        } catch (error) {
          set({
            encounters: { patientId: patient.id, list: [] },
            error: `The encounters of ${patient.givenName} ${patient.familyName} could not be listed: ${messageOf(error)}`,
          });
        }
      },

      filingSet() {
        return filingSetOf(get());
      },

      async file() {
        const { assignment } = get();
        const items = get().filingSet();
        const missing = [
          ...(assignment.patient ? [] : ['a patient']),
          ...(assignment.category ? [] : ['a category']),
          ...(items.length ? [] : ['at least one item']),
        ];
        if (missing.length > 0 || !assignment.patient || !assignment.category) {
          set({ error: `Choose ${missing.join(' and ')} before filing.`, notice: null });
          return false;
        }
        const title = assignment.title.trim();
        const request: FilingRequest = {
          patientId: assignment.patient.id,
          category: assignment.category,
          ...(assignment.encounterId ? { encounterId: assignment.encounterId } : {}),
          ...(title ? { title } : {}),
          ...(assignment.documentDate ? { documentDate: assignment.documentDate } : {}),
          items: items.map((i) => ({ itemId: i.id })),
        };
        const who = `${assignment.patient.givenName} ${assignment.patient.familyName}`;
        const ok = await run(
          `Filing ${plural(items.length, 'item')}…`,
          async () => {
            await api().fileItems(request);
            // A filing is all or nothing: every item of the request left the inbox.
            replace(
              items.map((i) => i.id),
              [],
            );
          },
          `${plural(items.length, 'item')} filed to ${who}; the upload queue sends ${items.length === 1 ? 'it' : 'them'}.`,
        );
        if (ok) set({ checked: [], assignment: { ...assignment, title: '' } });
        return ok;
      },

      dismissMessages() {
        set({ error: null, notice: null });
      },
    };
  });
}

export const useInbox = createInboxStore(ingestApi);

/** The items a File button files: the checked ones, or else the open one. */
export function filingSetOf(state: Pick<InboxState, 'items' | 'checked' | 'openId'>): InboxItem[] {
  const { items, checked, openId } = state;
  if (checked.length > 0) return items.filter((i) => checked.includes(i.id));
  return items.filter((i) => i.id === openId);
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
