// Finding a patient: a search by name or MRN that waits for the user to pause typing, pages
// through long answers, and ignores answers to a query the user has already changed. Plus the
// patients this user opened last, kept on this computer per user, most recent first.
import { create } from 'zustand';
import type { Patient } from '../../../../shared/api/schemas.js';
import { messageOf } from '../../lib/errors.js';
import { readStored, writeStored } from '../../lib/local-store.js';

export const SEARCH_DEBOUNCE_MS = 250;
export const PAGE_SIZE = 25;
export const MAX_RECENT = 10;

interface PatientsStore {
  query: string;
  /** the query the results answer */
  resultsFor: string | null;
  results: Patient[];
  nextCursor: string | null;
  status: 'idle' | 'loading' | 'ready' | 'failed';
  loadingMore: boolean;
  error: string | null;
  /** whose recent patients `recent` holds (a user id), so users of one computer don't share them */
  recentOwner: string | null;
  recent: Patient[];
  /** Sets the query and searches once the user pauses typing. */
  setQuery(query: string): void;
  /** Searches now (Enter, or a screen opening). */
  search(query?: string): Promise<void>;
  loadMore(): Promise<void>;
  loadRecent(ownerId: string): void;
  /** Puts the patient first in the recent list. */
  remember(patient: Patient): void;
  clearRecent(): void;
  /** Forgets everything: another user signed in. */
  reset(): void;
}

let debounceTimer: ReturnType<typeof setTimeout> | undefined;
/** bumped by every new search; an answer for an older one is dropped */
let generation = 0;

const EMPTY = {
  query: '',
  resultsFor: null,
  results: [],
  nextCursor: null,
  status: 'idle',
  loadingMore: false,
  error: null,
  recentOwner: null,
  recent: [],
} as const satisfies Partial<PatientsStore>;

export const usePatients = create<PatientsStore>((set, get) => ({
  ...EMPTY,

  setQuery(query) {
    set({ query });
    clearTimeout(debounceTimer);
    debounceTimer = setTimeout(() => void get().search(), SEARCH_DEBOUNCE_MS);
  },

  async search(query = get().query) {
    clearTimeout(debounceTimer);
    const q = query.trim();
    const mine = ++generation;
    set({ query, status: 'loading', error: null });
    try {
      const page = await window.api.searchPatients({ ...(q ? { q } : {}), limit: PAGE_SIZE });
      if (mine !== generation) return;
      set({
        status: 'ready',
        resultsFor: q,
        results: page.items,
        nextCursor: page.nextCursor,
      });
    } catch (error) {
      if (mine !== generation) return;
      set({ status: 'failed', error: `The patient search failed: ${messageOf(error)}` });
    }
  },

  async loadMore() {
    const { nextCursor, resultsFor, loadingMore } = get();
    if (!nextCursor || loadingMore) return;
    const mine = generation;
    set({ loadingMore: true, error: null });
    try {
      const page = await window.api.searchPatients({
        ...(resultsFor ? { q: resultsFor } : {}),
        limit: PAGE_SIZE,
        cursor: nextCursor,
      });
      if (mine !== generation) return;
      const seen = new Set(get().results.map((p) => p.id));
      set({
        results: [...get().results, ...page.items.filter((p) => !seen.has(p.id))],
        nextCursor: page.nextCursor,
      });
    } catch (error) {
      if (mine === generation)
        set({ error: `More patients could not be loaded: ${messageOf(error)}` });
    } finally {
      if (mine === generation) set({ loadingMore: false });
    }
  },

  loadRecent(ownerId) {
    if (get().recentOwner === ownerId) return;
    set({ recentOwner: ownerId, recent: readStored(recentKey(ownerId), parseRecent, []) });
  },

  remember(patient) {
    const owner = get().recentOwner;
    const recent = [patient, ...get().recent.filter((p) => p.id !== patient.id)].slice(
      0,
      MAX_RECENT,
    );
    set({ recent });
    if (owner) writeStored(recentKey(owner), recent);
  },

  clearRecent() {
    const owner = get().recentOwner;
    set({ recent: [] });
    if (owner) writeStored(recentKey(owner), []);
  },

  reset() {
    clearTimeout(debounceTimer);
    generation += 1;
    set({ ...EMPTY, results: [], recent: [] });
  },
}));

export function recentKey(ownerId: string): string {
  return `medaius.recentPatients.${ownerId}`;
}

function parseRecent(value: unknown): Patient[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter(isPatient).slice(0, MAX_RECENT);
}

function isPatient(value: unknown): value is Patient {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  return (
    typeof p.id === 'string' &&
    typeof p.mrn === 'string' &&
    typeof p.givenName === 'string' &&
    typeof p.familyName === 'string'
  );
}
