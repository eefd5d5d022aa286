// One picture (an image or a DICOM frame) shown zoomed, rotated and pannable, with its page's
// annotation overlay on top. The picture is drawn at its natural size times the zoom and turned
// with a CSS rotation inside a box of the turned size; the overlay covers that box unrotated.
import { useEffect, useRef, useState, type PointerEvent, type ReactNode } from 'react';
import { AnnotationLayer } from '../annotations/AnnotationLayer.js';
import { displayedSize } from '../annotations/geometry.js';
import { useAnnotations } from '../annotations/store.js';
import { effectiveZoom, useViewer, zoomByWheel } from './store.js';

interface Props {
  /** size of the picture in its own upright orientation */
  naturalWidth: number;
  naturalHeight: number;
  pageNumber: number;
  label: string;
  /**
   * What a drag on the picture does with the select tool: pan (default), or a handler that gets
   * the movement since the drag started (DICOM window/level).
   */
  onDrag?: (dx: number, dy: number, phase: 'start' | 'move' | 'end') => void;
  onWheel?: (deltaY: number) => boolean;
  children: (size: { width: number; height: number }) => ReactNode;
}

export function ZoomStage({
  naturalWidth,
  naturalHeight,
  pageNumber,
  label,
  onDrag,
  onWheel,
  children,
}: Props) {
  const viewport = useRef<HTMLDivElement>(null);
  const zoomSetting = useViewer((state) => state.zoom);
  const fittedZoom = useViewer((state) => state.fittedZoom);
  const rotation = useViewer((state) => state.rotation);
  const [drag, setDrag] = useState<{ x: number; y: number; left: number; top: number } | null>(
    null,
  );

  // 'fit' follows the window: recompute whenever the viewport or the picture changes size.
  useEffect(() => {
    const element = viewport.current;
    if (!element || naturalWidth === 0 || naturalHeight === 0) return;
    const measure = () => {
      const turned = displayedSize(naturalWidth, naturalHeight, 1, rotation);
      const available = { width: element.clientWidth - 16, height: element.clientHeight - 16 };
      if (available.width <= 0 || available.height <= 0) return;
      useViewer
        .getState()
        .setFittedZoom(
          Math.min(available.width / turned.width, available.height / turned.height, 4),
        );
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [naturalWidth, naturalHeight, rotation]);

  // A native listener: React's wheel listeners are passive and cannot keep the page from
  // scrolling (or Chromium from zooming the whole window on Ctrl+wheel).
  const wheel = useRef(onWheel);
  wheel.current = onWheel;
  useEffect(() => {
    const element = viewport.current;
    if (!element) return;
    const listener = (event: WheelEvent) => {
      if (event.ctrlKey) {
        event.preventDefault();
        zoomByWheel(event.deltaY);
      } else if (wheel.current?.(event.deltaY)) event.preventDefault();
    };
    element.addEventListener('wheel', listener, { passive: false });
    return () => element.removeEventListener('wheel', listener);
  }, []);

  const zoom = effectiveZoom({ zoom: zoomSetting, fittedZoom });
  const picture = { width: naturalWidth * zoom, height: naturalHeight * zoom };
  const box = displayedSize(naturalWidth, naturalHeight, zoom, rotation);

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    if (event.button !== 0 || !viewport.current) return;
    // A press beside every annotation (they stop their own presses) clears the selection.
    useAnnotations.getState().select(null);
    setDrag({
      x: event.clientX,
      y: event.clientY,
      left: viewport.current.scrollLeft,
      top: viewport.current.scrollTop,
    });
    onDrag?.(0, 0, 'start');
    viewport.current.setPointerCapture?.(event.pointerId);
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    if (!drag || !viewport.current) return;
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (onDrag) onDrag(dx, dy, 'move');
    else {
      viewport.current.scrollLeft = drag.left - dx;
      viewport.current.scrollTop = drag.top - dy;
    }
  };
  const endDrag = (event: PointerEvent<HTMLDivElement>) => {
    if (!drag) return;
    onDrag?.(event.clientX - drag.x, event.clientY - drag.y, 'end');
    setDrag(null);
  };

  return (
    <div
      ref={viewport}
      className={`zoom-viewport${drag ? ' dragging' : ''}${onDrag ? ' drag-adjusts' : ''}`}
      tabIndex={0}
      role="region"
      aria-label={label}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={endDrag}
      onPointerCancel={endDrag}
    >
      <div className="zoom-stage" style={{ width: box.width, height: box.height }}>
        <div
          className="zoom-picture"
          style={{
            width: picture.width,
            height: picture.height,
            transform: `translate(-50%, -50%) rotate(${rotation}deg)`,
          }}
        >
          {children(picture)}
        </div>
        <AnnotationLayer
          pageNumber={pageNumber}
          rotation={rotation}
          width={box.width}
          height={box.height}
        />
      </div>
    </div>
  );
}
