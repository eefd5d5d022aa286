// Where an annotation is on screen and back. Annotations live in document space: fractions 0..1
// of their page, origin top-left, in the page's own orientation (for images, upright as EXIF
// orientation shows them). The screen shows the page zoomed and rotated clockwise by 0/90/180/270
// degrees inside a box (its bounding client rect); these functions convert between the two, so an
// annotation stays on the same spot of the page at any zoom or rotation.

export type Rotation = 0 | 90 | 180 | 270;
export type Point = readonly [number, number];

/** The page as displayed: its on-screen box after zoom and rotation, in CSS pixels. */
export interface PageBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface NormalizedRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function nextRotation(rotation: Rotation, clockwise = true): Rotation {
  return ((rotation + (clockwise ? 90 : 270)) % 360) as Rotation;
}

/** The displayed size of a page of `width`×`height` at `zoom` and `rotation`. */
export function displayedSize(
  width: number,
  height: number,
  zoom: number,
  rotation: Rotation,
): { width: number; height: number } {
  const quarter = rotation === 90 || rotation === 270;
  return {
    width: (quarter ? height : width) * zoom,
    height: (quarter ? width : height) * zoom,
  };
}

/** Document fractions → fractions of the displayed (rotated) box. */
export function rotatePoint([x, y]: Point, rotation: Rotation): [number, number] {
  switch (rotation) {
    case 0:
      return [x, y];
    case 90:
      return [1 - y, x];
    case 180:
      return [1 - x, 1 - y];
    case 270:
      return [y, 1 - x];
  }
}

/** Fractions of the displayed (rotated) box → document fractions. */
export function unrotatePoint([u, v]: Point, rotation: Rotation): [number, number] {
  switch (rotation) {
    case 0:
      return [u, v];
    case 90:
      return [v, 1 - u];
    case 180:
      return [1 - u, 1 - v];
    case 270:
      return [1 - v, u];
  }
}

/** A document point → screen pixels relative to the box's own top-left corner. */
export function toBoxPixels(point: Point, box: PageBox, rotation: Rotation): [number, number] {
  const [u, v] = rotatePoint(point, rotation);
  return [u * box.width, v * box.height];
}

/** A document point → viewport (client) pixels. */
export function toScreen(point: Point, box: PageBox, rotation: Rotation): [number, number] {
  const [x, y] = toBoxPixels(point, box, rotation);
  return [box.left + x, box.top + y];
}

/** Viewport (client) pixels → a document point, clamped onto the page. */
export function toDocument(
  clientX: number,
  clientY: number,
  box: PageBox,
  rotation: Rotation,
): [number, number] {
  const u = clamp01((clientX - box.left) / box.width);
  const v = clamp01((clientY - box.top) / box.height);
  return unrotatePoint([u, v], rotation);
}

/** A document rectangle → its box-relative pixel rectangle (a quarter turn swaps its sides). */
export function rectToBoxPixels(
  rect: NormalizedRect,
  box: PageBox,
  rotation: Rotation,
): { left: number; top: number; width: number; height: number } {
  const [ax, ay] = toBoxPixels([rect.x, rect.y], box, rotation);
  const [bx, by] = toBoxPixels([rect.x + rect.width, rect.y + rect.height], box, rotation);
  return {
    left: Math.min(ax, bx),
    top: Math.min(ay, by),
    width: Math.abs(bx - ax),
    height: Math.abs(by - ay),
  };
}

/** The rectangle two document points span, whichever way the user dragged. */
export function rectFromPoints(a: Point, b: Point): NormalizedRect {
  return {
    x: Math.min(a[0], b[0]),
    y: Math.min(a[1], b[1]),
    width: Math.abs(b[0] - a[0]),
    height: Math.abs(b[1] - a[1]),
  };
}

/**
 * A screen drag of (dx, dy) pixels → the same move in document fractions: the inverse rotation
 * of a vector (no translation), scaled by the displayed box.
 */
export function screenDeltaToDocument(
  dx: number,
  dy: number,
  box: PageBox,
  rotation: Rotation,
): [number, number] {
  const du = dx / box.width;
  const dv = dy / box.height;
  switch (rotation) {
    case 0:
      return [du, dv];
    case 90:
      return [dv, -du];
    case 180:
      return [-du, -dv];
    case 270:
      return [-dv, du];
  }
}

export function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

/**
 * An SVG path through pixel points, smoothed with quadratic curves through the midpoints of
 * successive points (the stored points stay the raw input; only the drawing is smoothed).
 */
export function smoothPath(points: readonly Point[]): string {
  const [first, ...rest] = points;
  if (!first) return '';
  const f = (n: number) => Number(n.toFixed(2));
  if (rest.length === 0) return `M${f(first[0])} ${f(first[1])} l0.01 0`;
  let d = `M${f(first[0])} ${f(first[1])}`;
  for (let i = 1; i < points.length - 1; i++) {
    const [x, y] = points[i] as Point;
    const [nx, ny] = points[i + 1] as Point;
    d += ` Q${f(x)} ${f(y)} ${f((x + nx) / 2)} ${f((y + ny) / 2)}`;
  }
  const last = points[points.length - 1] as Point;
  return `${d} L${f(last[0])} ${f(last[1])}`;
}
