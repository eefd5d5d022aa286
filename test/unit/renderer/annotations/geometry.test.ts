// Annotations stay on the same spot of the page whatever the zoom and rotation: a point placed
// on screen and drawn back lands where the user clicked, and the document coordinates it is
// stored with do not change when the view does.
import { describe, expect, it } from 'vitest';
import {
  displayedSize,
  rectFromPoints,
  rectToBoxPixels,
  screenDeltaToDocument,
  smoothPath,
  toDocument,
  toScreen,
  type PageBox,
  type Rotation,
} from '../../../../src/renderer/src/features/annotations/geometry.js';

const PAGE = { width: 600, height: 800 };
const ROTATIONS: Rotation[] = [0, 90, 180, 270];

function box(zoom: number, rotation: Rotation, left = 40, top = 100): PageBox {
  return { left, top, ...displayedSize(PAGE.width, PAGE.height, zoom, rotation) };
}

const near = (actual: readonly number[], expected: readonly number[]) =>
  actual.forEach((value, i) => expect(value).toBeCloseTo(expected[i] ?? NaN, 9));

describe('screen ↔ document coordinates', () => {
  it('swaps the displayed width and height on a quarter turn and scales them with zoom', () => {
    expect(displayedSize(600, 800, 1.5, 0)).toEqual({ width: 900, height: 1200 });
    expect(displayedSize(600, 800, 1.5, 90)).toEqual({ width: 1200, height: 900 });
    expect(displayedSize(600, 800, 0.5, 270)).toEqual({ width: 400, height: 300 });
  });

  it('puts the page’s top-left corner where each clockwise rotation takes it', () => {
    const corner = [0, 0] as const;
    near(toScreen(corner, box(1, 0), 0), [40, 100]);
    near(toScreen(corner, box(1, 90), 90), [40 + 800, 100]); // top-right
    near(toScreen(corner, box(1, 180), 180), [40 + 600, 100 + 800]); // bottom-right
    near(toScreen(corner, box(1, 270), 270), [40, 100 + 600]); // bottom-left
  });

  it('maps a click back to the same document point at every zoom and rotation', () => {
    const point = [0.25, 0.6] as const;
    for (const zoom of [0.5, 1, 2.75])
      for (const rotation of ROTATIONS) {
        const b = box(zoom, rotation);
        const [sx, sy] = toScreen(point, b, rotation);
        near(toDocument(sx, sy, b, rotation), point);
      }
  });

  it('reads a click a quarter of the way across a page turned 90° as a point near its top', () => {
    const b = box(2, 90);
    // A click at 25% across and 50% down the displayed (turned) page.
    near(toDocument(b.left + b.width * 0.25, b.top + b.height * 0.5, b, 90), [0.5, 0.75]);
  });

  it('keeps clicks outside the page on its edge', () => {
    const b = box(1, 0);
    near(toDocument(b.left - 50, b.top + b.height + 50, b, 0), [0, 1]);
  });

  it('turns a highlight with the page, swapping its sides on a quarter turn', () => {
    const rect = { x: 0.1, y: 0.2, width: 0.5, height: 0.25 };
    const upright = rectToBoxPixels(rect, box(1, 0), 0);
    near([upright.left, upright.top, upright.width, upright.height], [60, 160, 300, 200]);
    const turned = rectToBoxPixels(rect, box(1, 90), 90);
    // 90°: x' = (1 - y - h)·H, y' = x·W, sides swapped.
    near([turned.left, turned.top, turned.width, turned.height], [440, 60, 200, 300]);
    const upsideDown = rectToBoxPixels(rect, box(2, 180), 180);
    near([upsideDown.width, upsideDown.height], [600, 400]);
  });

  it('turns a drag on screen into the same move of the page under rotation', () => {
    for (const rotation of ROTATIONS) {
      const b = box(1.5, rotation);
      const from = [0.3, 0.3] as const;
      const [sx, sy] = toScreen(from, b, rotation);
      const [dx, dy] = screenDeltaToDocument(30, -45, b, rotation);
      near(toDocument(sx + 30, sy - 45, b, rotation), [from[0] + dx, from[1] + dy]);
    }
  });

  it('spans a rectangle between two points whichever way it was dragged', () => {
    expect(rectFromPoints([0.7, 0.2], [0.1, 0.6])).toEqual({
      x: 0.1,
      y: 0.2,
      width: 0.6,
      height: expect.closeTo(0.4, 9) as number,
    });
  });
});

describe('freehand smoothing', () => {
  it('draws through the midpoints of the raw points, starting and ending on them', () => {
    const d = smoothPath([
      [0, 0],
      [10, 0],
      [10, 10],
    ]);
    expect(d).toBe('M0 0 Q10 0 10 5 L10 10');
    expect(smoothPath([[5, 5]])).toBe('M5 5 l0.01 0');
    expect(smoothPath([])).toBe('');
  });
});
