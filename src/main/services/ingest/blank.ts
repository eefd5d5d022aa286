// Whether a page looks blank, judged on its thumbnail (already a small render, so this costs a
// few milliseconds). "Blank" means light paper with next to nothing darker on it: a mean/stdev
// rule alone either misses pages with one line of text or flags grainy paper, so the rule here
// compares each pixel with the page's own paper colour instead:
// - a 3×3 median removes scanner noise and dust specks, and 5% margins are ignored, where
//   feeders leave shadows along the paper's edges;
// - the paper colour is the median grey; a dark page (a solid black scan) is not blank;
// - "ink" is anything clearly darker than the paper; a page is blank when almost none is left.
// One line of text on a letter page is about 0.2% ink and a lone signature 0.03%; grain and
// specks are 0%. Flagged pages are only shown for review, so erring towards flagging is cheap.
import sharp from 'sharp';

const MARGIN = 0.05;
/** Below this median grey the page is dark, not blank paper. */
const LIGHT_PAPER = 160;
/** How much darker than the paper a pixel must be to count as ink. */
const INK_CONTRAST = 40;
const MAX_INK_SHARE = 0.0001;

/** `width` and `height` are the thumbnail's, as makeThumbnail reports them. */
export async function looksBlank(
  thumbnail: Uint8Array,
  width: number,
  height: number,
): Promise<boolean> {
  const left = Math.floor(width * MARGIN);
  const top = Math.floor(height * MARGIN);
  const inner = { left, top, width: width - 2 * left, height: height - 2 * top };
  if (inner.width < 3 || inner.height < 3) return false;
  const pixels = await sharp(thumbnail).greyscale().extract(inner).median(3).raw().toBuffer();
  const paper = medianOf(pixels);
  if (paper < LIGHT_PAPER) return false;
  let ink = 0;
  for (const value of pixels) if (value < paper - INK_CONTRAST) ink++;
  return ink / pixels.length <= MAX_INK_SHARE;
}

function medianOf(pixels: Uint8Array): number {
  const histogram = new Uint32Array(256);
  for (const value of pixels) histogram[value]!++;
  let seen = 0;
  for (let value = 0; value < 256; value++) {
    seen += histogram[value]!;
    if (seen * 2 >= pixels.length) return value;
  }
  return 255;
}
