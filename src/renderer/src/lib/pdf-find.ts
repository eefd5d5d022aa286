// Find in a PDF's text layer: each page's text items joined into one searchable string, the
// matches of a query in it (case- and accent-insensitive, runs of white space equal), and each
// match split back into the items (text-layer spans) and character ranges to highlight.

export interface PageTextIndex {
  /** the page's text, normalized for matching, items joined by a space where a line ends */
  text: string;
  /** for each character of `text`: [item index, offset in that item's string], or -1 for a joiner */
  map: Int32Array;
}

export interface TextItemLike {
  str: string;
  hasEOL?: boolean;
}

export interface ItemRange {
  item: number;
  start: number;
  end: number;
}

/** Lower case without accents, so "Résumé" is found by "resume"; one character in, one out. */
function fold(char: string): string {
  const folded = char
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
  return folded.length === 1 ? folded : char.toLowerCase().slice(0, 1) || char;
}

export function indexPageText(items: readonly TextItemLike[]): PageTextIndex {
  let text = '';
  const map: number[] = [];
  items.forEach((item, itemIndex) => {
    for (let offset = 0; offset < item.str.length; offset++) {
      const folded = fold(item.str[offset] ?? '');
      const isSpace = /\s/.test(folded);
      // Runs of white space match one space in the query.
      if (isSpace && (text.endsWith(' ') || text === '')) continue;
      text += isSpace ? ' ' : folded;
      map.push(itemIndex * 65536 + offset);
    }
    if (item.hasEOL && !text.endsWith(' ') && text !== '') {
      text += ' ';
      map.push(-1);
    }
  });
  return { text, map: Int32Array.from(map) };
}

export function normalizeQuery(query: string): string {
  return Array.from(query.trim().replace(/\s+/g, ' '))
    .map((char) => (char === ' ' ? ' ' : fold(char)))
    .join('');
}

/** Start and end (exclusive) in `index.text` of each match, in reading order. */
export function findMatches(index: PageTextIndex, query: string): [number, number][] {
  const needle = normalizeQuery(query);
  if (needle === '') return [];
  const matches: [number, number][] = [];
  let from = 0;
  for (;;) {
    const at = index.text.indexOf(needle, from);
    if (at < 0) return matches;
    matches.push([at, at + needle.length]);
    from = at + needle.length;
  }
}

/** The text-layer items a match covers, with the character range of each to highlight. */
export function matchRanges(index: PageTextIndex, [start, end]: [number, number]): ItemRange[] {
  const ranges: ItemRange[] = [];
  for (let i = start; i < end; i++) {
    const entry = index.map[i] ?? -1;
    if (entry < 0) continue;
    const item = Math.floor(entry / 65536);
    const offset = entry % 65536;
    const last = ranges[ranges.length - 1];
    if (last && last.item === item && offset >= last.end) last.end = offset + 1;
    else ranges.push({ item, start: offset, end: offset + 1 });
  }
  return ranges;
}
