// Small values the renderer keeps between runs in localStorage. Reading never throws: a value
// that is missing, unreadable or of the wrong shape reads as the fallback.

export function readStored<T>(
  key: string,
  parse: (value: unknown) => T | undefined,
  fallback: T,
): T {
  try {
    const text = globalThis.localStorage?.getItem(key);
    if (text == null) return fallback;
    return parse(JSON.parse(text)) ?? fallback;
  } catch {
    return fallback;
  }
}

/** Stores the value; false when storage is full or unavailable, which costs only the convenience. */
export function writeStored(key: string, value: unknown): boolean {
  try {
    globalThis.localStorage?.setItem(key, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}
