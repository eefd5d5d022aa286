// Identifiers for rows written at a high rate. A random (v4) UUID as a primary key puts every
// new row at a random place in the key's index, so each insert dirties a different page:
// the audit log, which gains a row with every list and view, spent most of its commit time
// writing those pages and the WAL filled fast. A version 7 UUID (RFC 9562) starts with the
// time in milliseconds, so new keys land together at the end of the index; the remaining 74
// bits are random, so ids stay unguessable and unique across servers.
import { randomFillSync } from 'node:crypto';

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** Random bytes drawn in blocks: one call to the CSPRNG per 512 ids instead of per id. */
const pool = Buffer.alloc(16 * 512);
let offset = pool.length;

/** A new version 7 UUID: 48 bits of Unix time in ms, version, 74 random bits, variant. */
export function uuidv7(now: number = Date.now()): string {
  if (offset + 10 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const r = pool.subarray(offset, (offset += 10));
  const time = now.toString(16).padStart(12, '0').slice(-12);
  return (
    `${time.slice(0, 8)}-${time.slice(8)}-` +
    `${HEX[0x70 | (r[0]! & 0x0f)]}${HEX[r[1]!]}-` +
    `${HEX[0x80 | (r[2]! & 0x3f)]}${HEX[r[3]!]}-` +
    `${HEX[r[4]!]}${HEX[r[5]!]}${HEX[r[6]!]}${HEX[r[7]!]}${HEX[r[8]!]}${HEX[r[9]!]}`
  );
}
