// The offline cache's rules as the user meets them: the least recently opened unpinned copy goes
// first, a pinned copy stays unless the user agreed, old copies expire, and usage adds up per
// patient.
import { describe, expect, it } from 'vitest';
import type { CacheIndex, Entry, Pin } from '../../../src/main/services/cache/model.js';
import {
  chooseEvictions,
  isPinned,
  isStale,
  usageByPatient,
} from '../../../src/main/services/cache/policy.js';

const entry = (id: string, over: Partial<Entry> = {}): Entry => ({
  documentId: id,
  patientId: 'p1',
  encounterId: null,
  sha256: 'a'.repeat(64),
  size: 100,
  contentType: 'application/pdf',
  metadataSha256: 'b'.repeat(64),
  file: 'complete',
  thumbnail: false,
  annotations: false,
  diskBytes: 100,
  confirmedAt: '2026-11-01T00:00:00.000Z',
  accessedAt: '2026-11-01T00:00:00.000Z',
  ...over,
});
const pin = (target: Pin['target']): Pin => ({
  id: crypto.randomUUID(),
  target,
  createdAt: '2026-11-01T00:00:00.000Z',
});
const indexOf = (entries: Entry[], pins: Pin[] = []): CacheIndex => ({
  version: 1,
  owner: null,
  pins,
  entries: Object.fromEntries(entries.map((e) => [e.documentId, e])),
  patients: {},
});

describe('offline cache policy', () => {
  it('knows what a patient, an encounter or a document pin covers', () => {
    const e = entry('d1', { patientId: 'p1', encounterId: 'e1' });
    expect(isPinned(e, [pin({ patientId: 'p1' })])).toBe(true);
    expect(isPinned(e, [pin({ patientId: 'p2' })])).toBe(false);
    expect(isPinned(e, [pin({ encounterId: 'e1' })])).toBe(true);
    expect(isPinned(e, [pin({ documentIds: ['d0', 'd1'] })])).toBe(true);
    expect(isPinned(e, [])).toBe(false);
  });

  it('evicts the least recently used unpinned copies, and never a pinned one unless allowed', () => {
    const index = indexOf(
      [
        entry('old-pinned', { accessedAt: '2026-11-01T00:00:00Z', patientId: 'p2' }),
        entry('old', { accessedAt: '2026-11-02T00:00:00Z' }),
        entry('newer', { accessedAt: '2026-11-03T00:00:00Z' }),
        entry('newest', { accessedAt: '2026-11-04T00:00:00Z' }),
      ],
      [pin({ patientId: 'p2' })],
    );
    expect(chooseEvictions({ index, limitBytes: 400, neededBytes: 0 })).toEqual({
      chosen: [],
      fits: true,
    });
    expect(chooseEvictions({ index, limitBytes: 400, neededBytes: 150 })).toEqual({
      chosen: ['old', 'newer'],
      fits: true,
    });
    expect(
      chooseEvictions({ index, limitBytes: 400, neededBytes: 150, keep: new Set(['old']) }),
    ).toEqual({ chosen: ['newer', 'newest'], fits: true });
    // Only the pinned copy would be left to go: it stays, and the new one does not fit.
    expect(chooseEvictions({ index, limitBytes: 400, neededBytes: 350 })).toEqual({
      chosen: ['old', 'newer', 'newest'],
      fits: false,
    });
    expect(
      chooseEvictions({ index, limitBytes: 400, neededBytes: 350, allowPinned: true }),
    ).toEqual({ chosen: ['old', 'newer', 'newest', 'old-pinned'], fits: true });
  });

  it('expires copies the server has not confirmed within the maximum age', () => {
    const now = new Date('2026-11-10T00:00:00Z');
    const day = 86_400_000;
    expect(isStale('2026-11-01T00:00:00Z', now, 7 * day)).toBe(true);
    expect(isStale('2026-11-05T00:00:00Z', now, 7 * day)).toBe(false);
    expect(isStale('2020-01-01T00:00:00Z', now, null)).toBe(false);
  });

  it('adds up disk use per patient, pinned apart, largest first', () => {
    const index = indexOf(
      [
        entry('a', { patientId: 'p1', diskBytes: 10 }),
        entry('b', { patientId: 'p2', diskBytes: 500 }),
        entry('c', { patientId: 'p2', diskBytes: 40 }),
      ],
      [pin({ documentIds: ['b'] })],
    );
    index.patients.p1 = { diskBytes: 5, confirmedAt: '2026-11-01T00:00:00Z' };
    expect(usageByPatient(index)).toEqual([
      { patientId: 'p2', documents: 2, bytes: 540, pinnedBytes: 500 },
      { patientId: 'p1', documents: 1, bytes: 15, pinnedBytes: 0 },
    ]);
  });
});
