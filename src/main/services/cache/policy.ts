// The offline cache's rules, as pure functions of its index: what a pin covers, what may be
// evicted and in which order, what is too old to keep, and how much each patient takes.
import type { CacheIndex, Entry, Pin } from './model.js';

/** Whether any pin covers the entry. */
export function isPinned(
  entry: Pick<Entry, 'documentId' | 'patientId' | 'encounterId'>,
  pins: Pin[],
) {
  return pins.some((pin) => {
    const t = pin.target;
    if ('patientId' in t) return t.patientId === entry.patientId;
    if ('encounterId' in t) return t.encounterId === entry.encounterId;
    return t.documentIds.includes(entry.documentId);
  });
}

export const usedBytesOf = (index: CacheIndex): number =>
  Object.values(index.entries).reduce((n, e) => n + e.diskBytes, 0) +
  Object.values(index.patients).reduce((n, p) => n + p.diskBytes, 0);

export interface EvictionRequest {
  index: CacheIndex;
  limitBytes: number;
  /** bytes about to be added */
  neededBytes: number;
  /** entries that must stay (the one being downloaded) */
  keep?: ReadonlySet<string>;
  /** the user agreed that pinned copies may go too */
  allowPinned?: boolean;
}

/**
 * Which entries to remove so that `neededBytes` more fit within the limit: least recently used
 * first, unpinned before pinned, and pinned only when allowed. `fits` is false when removing
 * every candidate is not enough; `chosen` then lists them all.
 */
export function chooseEvictions(r: EvictionRequest): { chosen: string[]; fits: boolean } {
  let excess = usedBytesOf(r.index) + r.neededBytes - r.limitBytes;
  if (excess <= 0) return { chosen: [], fits: true };
  const byAge = (a: Entry, b: Entry) => a.accessedAt.localeCompare(b.accessedAt);
  const candidates = Object.values(r.index.entries).filter(
    (e) => !r.keep?.has(e.documentId) && e.diskBytes > 0,
  );
  const unpinned = candidates.filter((e) => !isPinned(e, r.index.pins)).sort(byAge);
  const pinned = r.allowPinned
    ? candidates.filter((e) => isPinned(e, r.index.pins)).sort(byAge)
    : [];
  const chosen: string[] = [];
  for (const entry of [...unpinned, ...pinned]) {
    if (excess <= 0) break;
    chosen.push(entry.documentId);
    excess -= entry.diskBytes;
  }
  return { chosen, fits: excess <= 0 };
}

/** Whether the server last confirmed the copy longer ago than the administrator allows. */
export function isStale(confirmedAt: string, now: Date, maxAgeMs: number | null): boolean {
  return maxAgeMs !== null && now.getTime() - Date.parse(confirmedAt) > maxAgeMs;
}

export interface PatientTotals {
  patientId: string;
  documents: number;
  bytes: number;
  pinnedBytes: number;
}

/** Disk use per patient (their documents, record and encounters), largest first. */
export function usageByPatient(index: CacheIndex): PatientTotals[] {
  const totals = new Map<string, PatientTotals>();
  const of = (patientId: string) => {
    let t = totals.get(patientId);
    if (!t) {
      t = { patientId, documents: 0, bytes: 0, pinnedBytes: 0 };
      totals.set(patientId, t);
    }
    return t;
  };
  for (const entry of Object.values(index.entries)) {
    const t = of(entry.patientId);
    t.documents++;
    t.bytes += entry.diskBytes;
    if (isPinned(entry, index.pins)) t.pinnedBytes += entry.diskBytes;
  }
  for (const [patientId, record] of Object.entries(index.patients)) {
    of(patientId).bytes += record.diskBytes;
  }
  return [...totals.values()].sort((a, b) => b.bytes - a.bytes);
}
