// Opaque page cursors: the sort key of the last row of a page, base64url-encoded JSON.
import type { Page } from '../shared/api/schemas.js';
import { ApiError } from './errors.js';

/**
 * One page from rows read with `limit + 1`: the extra row only tells that another page
 * exists, and the last row shown becomes the cursor.
 */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  toItem: (row: R) => T,
  cursorOf: (last: R) => string,
): Page<T> {
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  return {
    items: shown.map(toItem),
    nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null,
  };
}

export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, length: number): string[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.length === length &&
      key.every((v) => typeof v === 'string' && v.length <= 200)
    ) {
      return key as string[];
    }
  } catch {
    // falls through to the error below: a cursor that does not parse is the caller's mistake
  }
  throw new ApiError('validation_failed', 'cursor is not valid for this list');
}
