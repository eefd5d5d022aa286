// Find in a PDF's text layer, on the text pdf.js itself extracts from a real PDF (pdf-lib writes
// it; pdf.js's Node build reads it): matches regardless of case, accents and line breaks, and each
// match mapped back to the text-layer items and characters the viewer highlights.
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  findMatches,
  indexPageText,
  matchRanges,
  type PageTextIndex,
  type TextItemLike,
} from '../../../../src/renderer/src/lib/pdf-find.js';

let items: TextItemLike[][];
let pages: PageTextIndex[];

beforeAll(async () => {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const lines = [
    ['Radiology report', 'Finding: hairline FRACTURE of the left', 'radius.'],
    ['No acute findings.', 'Compare with the fracture seen in 2023.'],
  ];
  for (const text of lines) {
    const page = pdf.addPage([595, 842]);
    text.forEach((line, i) => page.drawText(line, { x: 50, y: 780 - i * 20, size: 12, font }));
  }
  const bytes = await pdf.save();
  const doc = await getDocument({ data: bytes, isEvalSupported: false }).promise;
  items = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    items.push(content.items.filter((item): item is typeof item & TextItemLike => 'str' in item));
  }
  await doc.destroy();
  pages = items.map(indexPageText);
});

/** The highlighted text of a match, read back from the items as the text layer shows them. */
function highlighted(page: number, match: [number, number]): string {
  return matchRanges(pages[page]!, match)
    .map((range) => items[page]![range.item]!.str.slice(range.start, range.end))
    .join('|');
}

describe('find in a PDF', () => {
  it('finds a word on every page whatever its case', () => {
    const counts = pages.map((page) => findMatches(page, 'Fracture').length);
    expect(counts).toEqual([1, 1]);
    expect(highlighted(0, findMatches(pages[0]!, 'fracture')[0]!)).toBe('FRACTURE');
  });

  it('finds a phrase broken across two lines, highlighting its part on each', () => {
    const [match] = findMatches(pages[0]!, 'the left radius');
    expect(match).toBeDefined();
    expect(highlighted(0, match!)).toBe('the left|radius');
  });

  it('ignores accents and repeated spaces in the query', () => {
    expect(findMatches(pages[1]!, '  compare   WITH ')).toHaveLength(1);
    expect(findMatches(pages[1]!, 'fïndings')).toHaveLength(1);
    expect(findMatches(pages[1]!, 'tumour')).toEqual([]);
    expect(findMatches(pages[1]!, '   ')).toEqual([]);
  });

  it('finds every occurrence on a page, in reading order', () => {
    const index = indexPageText([{ str: 'abc abc', hasEOL: true }, { str: 'xabc' }]);
    expect(findMatches(index, 'abc')).toEqual([
      [0, 3],
      [4, 7],
      [9, 12],
    ]);
  });
});
