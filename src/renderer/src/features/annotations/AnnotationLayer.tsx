// The annotations of one page, drawn as an SVG over it, and the pointer and keyboard handling of
// the active tool. The SVG is not rotated with the page: every shape is placed through
// ./geometry.ts from its document coordinates, so labels stay upright and annotations stay on
// their spot at any zoom and rotation.
import { useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import type { Annotation } from '../../../../shared/api/annotations.js';
import { MAX_STROKE_POINTS } from '../../../../shared/api/annotations.js';
import {
  rectFromPoints,
  rectToBoxPixels,
  screenDeltaToDocument,
  smoothPath,
  toBoxPixels,
  toDocument,
  type PageBox,
  type Point,
  type Rotation,
} from './geometry.js';
import { DEFAULT_STROKE_WIDTH, translate, useAnnotations } from './store.js';
import './annotations.css';

interface Props {
  pageNumber: number;
  rotation: Rotation;
  /** displayed size of the page in CSS pixels, after zoom and rotation */
  width: number;
  height: number;
}

type Gesture =
  | { kind: 'move'; id: string; startX: number; startY: number; dx: number; dy: number }
  | { kind: 'stroke'; points: [number, number][] }
  | { kind: 'box'; from: Point; to: Point };

const KIND_NAMES: Record<Annotation['type'], string> = {
  marker: 'Marker',
  freehand: 'Drawing',
  text: 'Note',
  highlight: 'Highlight',
};

export function describeAnnotation(annotation: Annotation): string {
  const detail =
    annotation.type === 'marker' && annotation.content.label
      ? ` “${annotation.content.label}”`
      : annotation.type === 'text'
        ? ` “${annotation.content.text}”`
        : '';
  return `${KIND_NAMES[annotation.type]}${detail}`;
}

export function authorLine(annotation: Annotation): string {
  const time = new Date(annotation.updatedAt ?? annotation.createdAt);
  return `by ${annotation.createdByName}, ${time.toLocaleString()}`;
}

export function AnnotationLayer({ pageNumber, rotation, width, height }: Props) {
  const svgRef = useRef<SVGSVGElement>(null);
  const [gesture, setGesture] = useState<Gesture | null>(null);
  const items = useAnnotations((state) => state.items);
  const tool = useAnnotations((state) => state.tool);
  const color = useAnnotations((state) => state.color);
  const selectedId = useAnnotations((state) => state.selectedId);
  const draft = useAnnotations((state) => state.draft);
  const pageItems = items.filter((item) => item.pageNumber === pageNumber);
  const box: PageBox = { left: 0, top: 0, width, height };
  /** the page's own width on screen: stroke widths are fractions of it */
  const pageWidthPx = rotation === 90 || rotation === 270 ? height : width;

  const pointOf = (event: PointerEvent): [number, number] => {
    const rect = svgRef.current?.getBoundingClientRect();
    if (!rect) return [0, 0];
    return toDocument(event.clientX, event.clientY, rect, rotation);
  };

  const onPointerDown = (event: PointerEvent<SVGSVGElement>) => {
    if (event.button !== 0) return;
    const store = useAnnotations.getState();
    const target = (event.target as Element).closest('[data-annotation-id]');
    if (tool === 'select') {
      if (!target) {
        store.select(null);
        return; // let the viewer pan or window/level
      }
      const id = target.getAttribute('data-annotation-id') ?? '';
      store.select(id);
      setGesture({ kind: 'move', id, startX: event.clientX, startY: event.clientY, dx: 0, dy: 0 });
    } else if (tool === 'marker' || tool === 'text') {
      const [x, y] = pointOf(event);
      store.startDraft({ pageNumber, type: tool, x, y });
    } else if (tool === 'freehand') {
      setGesture({ kind: 'stroke', points: [pointOf(event)] });
    } else if (tool === 'highlight') {
      const point = pointOf(event);
      setGesture({ kind: 'box', from: point, to: point });
    }
    event.stopPropagation();
    event.preventDefault();
    svgRef.current?.setPointerCapture?.(event.pointerId);
  };

  const onPointerMove = (event: PointerEvent<SVGSVGElement>) => {
    if (!gesture) return;
    event.stopPropagation();
    if (gesture.kind === 'move') {
      const rect = svgRef.current?.getBoundingClientRect();
      if (!rect) return;
      const [dx, dy] = screenDeltaToDocument(
        event.clientX - gesture.startX,
        event.clientY - gesture.startY,
        rect,
        rotation,
      );
      setGesture({ ...gesture, dx, dy });
    } else if (gesture.kind === 'stroke') {
      if (gesture.points.length >= MAX_STROKE_POINTS) return;
      const native = event.nativeEvent as globalThis.PointerEvent;
      const samples = native.getCoalescedEvents?.() ?? [];
      const rect = svgRef.current?.getBoundingClientRect();
      const added =
        rect && samples.length > 0
          ? samples.map((sample) => toDocument(sample.clientX, sample.clientY, rect, rotation))
          : [pointOf(event)];
      setGesture({
        kind: 'stroke',
        points: [...gesture.points, ...added].slice(0, MAX_STROKE_POINTS),
      });
    } else {
      setGesture({ ...gesture, to: pointOf(event) });
    }
  };

  const onPointerUp = (event: PointerEvent<SVGSVGElement>) => {
    if (!gesture) return;
    event.stopPropagation();
    const store = useAnnotations.getState();
    setGesture(null);
    if (gesture.kind === 'move') {
      if (Math.abs(gesture.dx) > 0.0005 || Math.abs(gesture.dy) > 0.0005)
        void store.move(gesture.id, gesture.dx, gesture.dy);
    } else if (gesture.kind === 'stroke') {
      void store.create(pageNumber, 'freehand', {
        points: gesture.points,
        width: DEFAULT_STROKE_WIDTH,
        color,
      });
    } else {
      const rect = rectFromPoints(gesture.from, gesture.to);
      if (rect.width > 0.003 && rect.height > 0.003)
        void store.create(pageNumber, 'highlight', { ...rect, color });
    }
  };

  const onKeyDown = (event: KeyboardEvent<SVGSVGElement>) => {
    const store = useAnnotations.getState();
    const selected = pageItems.find((item) => item.id === selectedId);
    if ((event.key === 'Enter' || event.key === ' ') && tool !== 'select') {
      // Keyboard placement: at the middle of the page; the user then moves it with the arrows.
      event.preventDefault();
      if (tool === 'marker' || tool === 'text')
        store.startDraft({ pageNumber, type: tool, x: 0.5, y: 0.5 });
      else if (tool === 'highlight')
        void store.create(pageNumber, 'highlight', {
          x: 0.4,
          y: 0.45,
          width: 0.2,
          height: 0.1,
          color,
        });
      return;
    }
    if (!selected) return;
    const step = event.shiftKey ? 0.05 : 0.01;
    const arrows: Record<string, [number, number]> = {
      ArrowLeft: [-1, 0],
      ArrowRight: [1, 0],
      ArrowUp: [0, -1],
      ArrowDown: [0, 1],
    };
    const arrow = arrows[event.key];
    if (arrow) {
      event.preventDefault();
      event.stopPropagation();
      // Arrows move the annotation the way it looks on screen, whatever the rotation.
      const [dx, dy] = screenDeltaToDocument(arrow[0] * step, arrow[1] * step, box1, rotation);
      void store.move(selected.id, dx, dy);
    } else if (event.key === 'Delete' || event.key === 'Backspace') {
      event.preventDefault();
      void store.remove(selected.id);
    } else if (event.key === 'Escape') {
      store.select(null);
    }
  };

  const count = pageItems.length;
  const label = `Annotations on page ${pageNumber}: ${count === 0 ? 'none' : count === 1 ? '1 annotation' : `${count} annotations`}`;

  return (
    <svg
      ref={svgRef}
      className={`annotation-layer tool-${tool}`}
      role="img"
      aria-label={label}
      tabIndex={0}
      width={width}
      height={height}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={() => setGesture(null)}
      onKeyDown={onKeyDown}
    >
      {pageItems.map((annotation) => {
        const moving = gesture?.kind === 'move' && gesture.id === annotation.id ? gesture : null;
        const shown = moving
          ? ({ ...annotation, content: translate(annotation, moving.dx, moving.dy) } as Annotation)
          : annotation;
        return (
          <g
            key={annotation.id}
            data-annotation-id={annotation.id}
            className={`annotation annotation-${annotation.type}${annotation.id === selectedId ? ' selected' : ''}`}
          >
            <title>{`${describeAnnotation(annotation)} ${authorLine(annotation)}`}</title>
            <Shape annotation={shown} box={box} rotation={rotation} pageWidthPx={pageWidthPx} />
          </g>
        );
      })}
      {draft && draft.pageNumber === pageNumber && (
        <Shape
          annotation={
            {
              type: 'marker',
              content: { x: draft.x, y: draft.y, label: '', color },
            } as Annotation
          }
          box={box}
          rotation={rotation}
          pageWidthPx={pageWidthPx}
          draft
        />
      )}
      {gesture?.kind === 'stroke' && (
        <path
          className="annotation-draft"
          d={smoothPath(gesture.points.map((point) => toBoxPixels(point, box, rotation)))}
          stroke={color}
          strokeWidth={Math.max(1, DEFAULT_STROKE_WIDTH * pageWidthPx)}
          fill="none"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      )}
      {gesture?.kind === 'box' && (
        <HighlightRect
          rect={rectFromPoints(gesture.from, gesture.to)}
          color={color}
          box={box}
          rotation={rotation}
        />
      )}
    </svg>
  );
}

/** A unit box: keyboard moves are in fractions of the page, not pixels. */
const box1: PageBox = { left: 0, top: 0, width: 1, height: 1 };

function Shape({
  annotation,
  box,
  rotation,
  pageWidthPx,
  draft = false,
}: {
  annotation: Annotation;
  box: PageBox;
  rotation: Rotation;
  pageWidthPx: number;
  draft?: boolean;
}) {
  switch (annotation.type) {
    case 'marker': {
      const { x, y, label, color } = annotation.content;
      const [px, py] = toBoxPixels([x, y], box, rotation);
      return (
        <>
          <circle
            cx={px}
            cy={py}
            r={7}
            fill={color}
            className={draft ? 'marker-dot annotation-draft' : 'marker-dot'}
          />
          {label && (
            <text x={px + 11} y={py + 4} className="annotation-label" fill={color}>
              {label}
            </text>
          )}
        </>
      );
    }
    case 'text': {
      const { x, y, text, color } = annotation.content;
      const [px, py] = toBoxPixels([x, y], box, rotation);
      const shown = text.length > 60 ? `${text.slice(0, 59)}…` : text;
      return (
        <>
          <rect x={px - 8} y={py - 8} width={16} height={16} rx={3} fill={color} />
          <text x={px} y={py + 4} className="note-glyph" textAnchor="middle">
            T
          </text>
          <text x={px + 12} y={py + 4} className="annotation-label note-text">
            {shown}
          </text>
        </>
      );
    }
    case 'highlight':
      return (
        <HighlightRect
          rect={annotation.content}
          color={annotation.content.color}
          box={box}
          rotation={rotation}
        />
      );
    case 'freehand': {
      const { points, width, color } = annotation.content;
      return (
        <path
          d={smoothPath(points.map((point) => toBoxPixels(point, box, rotation)))}
          stroke={color}
          strokeWidth={Math.max(1, width * pageWidthPx)}
          fill="none"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      );
    }
  }
}

function HighlightRect({
  rect,
  color,
  box,
  rotation,
}: {
  rect: { x: number; y: number; width: number; height: number };
  color: string;
  box: PageBox;
  rotation: Rotation;
}) {
  const shown = rectToBoxPixels(rect, box, rotation);
  return (
    <rect
      x={shown.left}
      y={shown.top}
      width={shown.width}
      height={shown.height}
      fill={color}
      fillOpacity={0.3}
      stroke={color}
      strokeWidth={1.5}
    />
  );
}
