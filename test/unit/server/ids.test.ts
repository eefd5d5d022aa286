// Version 7 UUIDs for the audit log (src/server/ids.ts): valid RFC 9562 ids whose order
// follows time, so new audit rows land together at the end of the id index.
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../../src/server/ids.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidv7', () => {
  it('is a version 7, RFC 9562 variant UUID holding the time in milliseconds', () => {
    const at = Date.UTC(2026, 10, 28, 3, 30);
    const id = uuidv7(at);
    expect(id).toMatch(UUID_V7);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
  });

  it('sorts by time, and never repeats', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => uuidv7(1_800_000_000_000 + i));
    expect([...ids].sort()).toEqual(ids);
    const sameMillisecond = Array.from({ length: 5000 }, () => uuidv7(1_800_000_000_000));
    expect(new Set(sameMillisecond).size).toBe(5000);
    for (const id of sameMillisecond) expect(id).toMatch(UUID_V7);
  });
});
