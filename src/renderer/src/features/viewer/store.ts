// How the open document is shown: its zoom (a factor, or 'fit' to the window) and its view
// rotation. Only the view: annotations keep document coordinates and never see these.
import { create } from 'zustand';
import { nextRotation, type Rotation } from '../annotations/geometry.js';

export const ZOOM_STEPS = [0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1, 1.1, 1.25, 1.5, 2, 3, 4, 6, 8];

interface ViewerState {
  zoom: number | 'fit';
  /** the factor 'fit' came to last, so zooming in from fit starts from what the user sees */
  fittedZoom: number;
  rotation: Rotation;
  zoomIn(): void;
  zoomOut(): void;
  fit(): void;
  setFittedZoom(zoom: number): void;
  rotate(clockwise: boolean): void;
  reset(): void;
}

export function effectiveZoom(state: Pick<ViewerState, 'zoom' | 'fittedZoom'>): number {
  return state.zoom === 'fit' ? state.fittedZoom : state.zoom;
}

export const useViewer = create<ViewerState>((set, get) => ({
  zoom: 'fit',
  fittedZoom: 1,
  rotation: 0,
  zoomIn: () => {
    const current = effectiveZoom(get());
    set({ zoom: ZOOM_STEPS.find((step) => step > current + 0.001) ?? current });
  },
  zoomOut: () => {
    const current = effectiveZoom(get());
    set({ zoom: [...ZOOM_STEPS].reverse().find((step) => step < current - 0.001) ?? current });
  },
  fit: () => set({ zoom: 'fit' }),
  setFittedZoom: (fittedZoom) => {
    if (Math.abs(fittedZoom - get().fittedZoom) > 0.0001) set({ fittedZoom });
  },
  rotate: (clockwise) => set({ rotation: nextRotation(get().rotation, clockwise) }),
  reset: () => set({ zoom: 'fit', rotation: 0 }),
}));

/** Ctrl+wheel (and a touchpad pinch, which Chromium reports as one) zooms a step at a time. */
export function zoomByWheel(deltaY: number): void {
  if (deltaY < 0) useViewer.getState().zoomIn();
  else if (deltaY > 0) useViewer.getState().zoomOut();
}
