// One patient's documents as the documents screen shows them. All of the patient's documents are
// loaded in the background, 100 at a time, so filters and sorts answer at once even for 10,000;
// the screen shows what has arrived while the rest comes. Thumbnails are asked for in batches,
// only for what is on screen, and asked again when their signed URLs are about to expire.
import { create } from 'zustand';
import type {
  DocumentPatch,
  DocumentReference,
  Encounter,
  Patient,
} from '../../../../shared/api/schemas.js';
import { messageOf } from '../../lib/errors.js';
import { readStored, writeStored } from '../../lib/local-store.js';
import {
  NO_FILTERS,
  SORTS,
  filterDocuments,
  sortDocuments,
  type DocumentFilters,
  type SortOrder,
} from './document-order.js';

export const DOCUMENT_PAGE_SIZE = 100;
export const THUMBNAIL_BATCH = 200;
/** thumbnail URLs this close to expiring are asked for again */
const THUMBNAIL_MARGIN_MS = 60_000;
const VIEW_KEY = 'medaius.documentsView';
/** a list older than this is loaded again, in the background, when the user comes back to it */
export const REFRESH_AFTER_MS = 30_000;
/** while pages stream in, the screen is updated at most this often */
const SHOW_EVERY_MS = 250;

export type DocumentsView = 'gallery' | 'list';

export interface Thumbnail {
  /** null: the document has no thumbnail, or it could not be fetched */
  url: string | null;
  expiresAt: number;
}

interface DocumentsStore {
  patientId: string | null;
  patient: Patient | null;
  patientError: string | null;
  encounters: Encounter[];
  /** every document loaded so far, in the server's order */
  documents: DocumentReference[];
  loading: boolean;
  /** all pages are in */
  complete: boolean;
  loadError: string | null;
  filters: DocumentFilters;
  sort: SortOrder;
  view: DocumentsView;
  selectedId: string | null;
  thumbnails: Record<string, Thumbnail>;
  saving: boolean;
  saveError: string | null;
  deleting: boolean;
  deleteError: string | null;
  /** the document just deleted, for "Undo" */
  deleted: DocumentReference | null;

  /** Shows this patient: loads the patient, encounters and every document page. */
  open(patientId: string): void;
  /** Loads the remaining pages after a failure. */
  resume(): void;
  setFilters(change: Partial<DocumentFilters>): void;
  clearFilters(): void;
  setSort(sort: SortOrder): void;
  setView(view: DocumentsView): void;
  select(id: string | null): void;
  /** Asks for the thumbnails of these documents, if not already known and fresh. */
  requestThumbnails(ids: readonly string[]): void;
  update(id: string, patch: DocumentPatch): Promise<boolean>;
  remove(id: string): Promise<boolean>;
  undoRemove(): Promise<void>;
  /** Forgets the patient shown: another user signed in. */
  reset(): void;
}

/** bumped whenever another patient is opened; a page for an earlier one is dropped */
let generation = 0;
const thumbnailsInFlight = new Set<string>();
let thumbnailQueue = new Set<string>();
let thumbnailTimer: ReturnType<typeof setTimeout> | undefined;

export const useDocuments = create<DocumentsStore>((set, get) => {
  let resumeCursor: string | null = null;
  /** when the whole list last arrived, for refreshing a list the user comes back to */
  let loadedAt = 0;
  const filedInFlight = new Set<string>();

  /** A document just uploaded: shown at once if it belongs to the patient on screen. */
  function addFiled(id: string) {
    const { patientId, documents } = get();
    if (!patientId || filedInFlight.has(id) || documents.some((d) => d.id === id)) return;
    const mine = generation;
    filedInFlight.add(id);
    window.api
      .getDocument({ id })
      .then(
        (doc) => {
          const current = get();
          if (mine !== generation || doc.patientId !== current.patientId) return;
          if (current.documents.some((d) => d.id === id)) return;
          set({ documents: [...current.documents, doc] });
        },
        // Not shown yet, and nothing is lost: the next refresh of the list brings it.
        () => undefined,
      )
      .finally(() => filedInFlight.delete(id));
  }

  /** the window.api whose upload events are followed (tests give each case its own) */
  let following: { api: unknown; stop: () => void } | null = null;
  function followUploads() {
    if (following?.api === window.api) return;
    following?.stop();
    const stop = window.api.onUploadsChanged((event) => {
      if (event.type === 'item' && event.item.state === 'done' && event.item.documentId) {
        addFiled(event.item.documentId);
      }
    });
    following = { api: window.api, stop };
  }

  /**
   * Loads pages from `from` on. A first load shows pages as they come; a refresh keeps showing
   * the list the user has until the new one is whole, then swaps it in at once.
   */
  async function loadPages(
    mine: number,
    patientId: string,
    from: string | null,
    mode: 'append' | 'refresh' = 'append',
  ) {
    let cursor = from;
    // Pages that arrive quickly are shown together: each showing re-sorts everything loaded.
    let arrived: DocumentReference[] = [];
    let shownAt = 0;
    const show = () => {
      if (mode === 'refresh' && cursor !== null) return;
      const documents = mode === 'refresh' ? arrived : [...get().documents, ...arrived];
      set({ documents, complete: cursor === null });
      if (cursor === null) loadedAt = Date.now();
      arrived = [];
      shownAt = Date.now();
    };
    set({ loading: true, loadError: null });
    try {
      do {
        const page = await window.api.listDocuments({
          patientId,
          limit: DOCUMENT_PAGE_SIZE,
          ...(cursor ? { cursor } : {}),
        });
        if (mine !== generation) return;
        cursor = page.nextCursor;
        if (mode === 'append') resumeCursor = cursor;
        arrived.push(...page.items);
        if (shownAt === 0 || cursor === null || Date.now() - shownAt >= SHOW_EVERY_MS) show();
      } while (cursor !== null);
    } catch (error) {
      if (mine === generation) {
        if (arrived.length > 0 && mode === 'append') show();
        const what =
          mode === 'refresh'
            ? 'The list could not be refreshed'
            : 'Not all documents could be loaded';
        set({ loadError: `${what}: ${messageOf(error)}` });
      }
    } finally {
      if (mine === generation) set({ loading: false });
    }
  }

  function flushThumbnails() {
    thumbnailTimer = undefined;
    const ids = [...thumbnailQueue];
    thumbnailQueue = new Set();
    const mine = generation;
    for (let at = 0; at < ids.length; at += THUMBNAIL_BATCH) {
      const batch = ids.slice(at, at + THUMBNAIL_BATCH);
      batch.forEach((id) => thumbnailsInFlight.add(id));
      window.api
        .getThumbnailUrls({ ids: batch })
        .then(
          ({ urls, expiresAt }) => {
            if (mine !== generation) return;
            const expires = Date.parse(expiresAt);
            const fetched: Record<string, Thumbnail> = {};
            for (const id of batch) fetched[id] = { url: urls[id] ?? null, expiresAt: expires };
            set({ thumbnails: { ...get().thumbnails, ...fetched } });
          },
          () => {
            if (mine !== generation) return;
            // Shown as "no preview" for a minute, then asked again when still on screen.
            const failed: Record<string, Thumbnail> = {};
            for (const id of batch) {
              failed[id] = { url: null, expiresAt: Date.now() + 2 * THUMBNAIL_MARGIN_MS };
            }
            set({ thumbnails: { ...get().thumbnails, ...failed } });
          },
        )
        .finally(() => batch.forEach((id) => thumbnailsInFlight.delete(id)));
    }
  }

  return {
    patientId: null,
    patient: null,
    patientError: null,
    encounters: [],
    documents: [],
    loading: false,
    complete: false,
    loadError: null,
    filters: NO_FILTERS,
    sort: 'date-desc',
    view: readStored<DocumentsView>(
      VIEW_KEY,
      (v) => (v === 'gallery' || v === 'list' ? v : undefined),
      'gallery',
    ),
    selectedId: null,
    thumbnails: {},
    saving: false,
    saveError: null,
    deleting: false,
    deleteError: null,
    deleted: null,

    open(patientId) {
      followUploads();
      const current = get();
      if (current.patientId === patientId && (current.loading || current.complete)) {
        if (!current.loading && Date.now() - loadedAt >= REFRESH_AFTER_MS) {
          void loadPages(generation, patientId, null, 'refresh');
        }
        return;
      }
      const mine = ++generation;
      resumeCursor = null;
      thumbnailQueue = new Set();
      set({
        patientId,
        patient: null,
        patientError: null,
        encounters: [],
        documents: [],
        complete: false,
        loadError: null,
        filters: NO_FILTERS,
        selectedId: null,
        thumbnails: {},
        saveError: null,
        deleteError: null,
        deleted: null,
      });
      window.api.getPatient({ id: patientId }).then(
        (patient) => mine === generation && set({ patient }),
        (error: unknown) =>
          mine === generation &&
          set({ patientError: `The patient could not be loaded: ${messageOf(error)}` }),
      );
      window.api.listEncounters({ patientId }).then(
        (encounters) => mine === generation && set({ encounters }),
        // Encounters only label documents and feed a filter; the documents still show.
        () => undefined,
      );
      void loadPages(mine, patientId, null);
    },

    resume() {
      const { patientId, loading, complete } = get();
      if (!patientId || loading || complete) return;
      void loadPages(generation, patientId, resumeCursor);
    },

    setFilters: (change) => set({ filters: { ...get().filters, ...change } }),
    clearFilters: () => set({ filters: NO_FILTERS }),
    setSort: (sort) => set({ sort: sort in SORTS ? sort : 'date-desc' }),
    setView(view) {
      set({ view });
      writeStored(VIEW_KEY, view);
    },
    select: (selectedId) =>
      set({
        selectedId,
        saveError: null,
        deleteError: get().selectedId === selectedId ? get().deleteError : null,
      }),

    requestThumbnails(ids) {
      const { thumbnails, documents } = get();
      const ready = new Set(
        documents.filter((d) => d.thumbnailStatus === 'ready').map((d) => d.id),
      );
      const stale = Date.now() + THUMBNAIL_MARGIN_MS;
      for (const id of ids) {
        if (!ready.has(id) || thumbnailsInFlight.has(id)) continue;
        const known = thumbnails[id];
        if (known && known.expiresAt > stale) continue;
        thumbnailQueue.add(id);
      }
      // Scrolling asks many times a second; one short wait gathers the asks into one call.
      if (thumbnailQueue.size > 0 && thumbnailTimer === undefined) {
        thumbnailTimer = setTimeout(flushThumbnails, 30);
      }
    },

    async update(id, patch) {
      set({ saving: true, saveError: null });
      try {
        const updated = await window.api.updateDocument({ id, patch });
        set({ documents: get().documents.map((d) => (d.id === id ? updated : d)) });
        return true;
      } catch (error) {
        set({ saveError: `The changes were not saved: ${messageOf(error)}` });
        return false;
      } finally {
        set({ saving: false });
      }
    },

    async remove(id) {
      const doc = get().documents.find((d) => d.id === id);
      if (!doc) return false;
      set({ deleting: true, deleteError: null });
      try {
        await window.api.deleteDocument({ id });
        set({
          documents: get().documents.filter((d) => d.id !== id),
          selectedId: get().selectedId === id ? null : get().selectedId,
          deleted: doc,
        });
        return true;
      } catch (error) {
        set({ deleteError: `“${doc.title}” was not deleted: ${messageOf(error)}` });
        return false;
      } finally {
        set({ deleting: false });
      }
    },

    async undoRemove() {
      const doc = get().deleted;
      if (!doc) return;
      try {
        const restored = await window.api.restoreDocument({ id: doc.id });
        set({ documents: [...get().documents, restored], deleted: null, selectedId: doc.id });
      } catch (error) {
        set({ deleteError: `“${doc.title}” could not be restored: ${messageOf(error)}` });
      }
    },

    reset() {
      generation += 1;
      thumbnailQueue = new Set();
      set({
        patientId: null,
        patient: null,
        patientError: null,
        encounters: [],
        documents: [],
        loading: false,
        complete: false,
        loadError: null,
        filters: NO_FILTERS,
        selectedId: null,
        thumbnails: {},
        deleted: null,
      });
    },
  };
});

/** The documents on screen: the loaded ones, filtered and sorted. Cached for the same inputs. */
export function selectVisible(state: {
  documents: DocumentReference[];
  filters: DocumentFilters;
  sort: SortOrder;
}): DocumentReference[] {
  if (
    state.documents === lastVisible.documents &&
    state.filters === lastVisible.filters &&
    state.sort === lastVisible.sort
  ) {
    return lastVisible.result;
  }
  const result = sortDocuments(filterDocuments(state.documents, state.filters), state.sort);
  lastVisible = { documents: state.documents, filters: state.filters, sort: state.sort, result };
  return result;
}
let lastVisible: {
  documents: DocumentReference[] | null;
  filters: DocumentFilters | null;
  sort: SortOrder | null;
  result: DocumentReference[];
} = { documents: null, filters: null, sort: null, result: [] };
