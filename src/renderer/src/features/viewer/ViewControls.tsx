// Zoom and rotate buttons shared by the image, DICOM and PDF views, with their keyboard keys
// (+, -, 0 for fit, R / Shift+R to rotate) handled by the viewer screen.
import { effectiveZoom, useViewer } from './store.js';

export function ViewControls() {
  const zoom = useViewer((state) => state.zoom);
  const fitted = useViewer((state) => state.fittedZoom);
  const view = useViewer.getState();
  const percent = Math.round(effectiveZoom({ zoom, fittedZoom: fitted }) * 100);
  return (
    <div role="group" aria-label="View" className="view-controls">
      <button type="button" onClick={view.zoomOut} aria-keyshortcuts="-">
        Zoom out
      </button>
      <output aria-label="Zoom level">{percent}%</output>
      <button type="button" onClick={view.zoomIn} aria-keyshortcuts="+">
        Zoom in
      </button>
      <button type="button" onClick={view.fit} aria-pressed={zoom === 'fit'} aria-keyshortcuts="0">
        Fit
      </button>
      <button type="button" onClick={() => view.rotate(false)} aria-keyshortcuts="Shift+R">
        Rotate left
      </button>
      <button type="button" onClick={() => view.rotate(true)} aria-keyshortcuts="R">
        Rotate right
      </button>
    </div>
  );
}
