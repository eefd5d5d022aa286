// Keyboard movement through a virtualized grid or list of documents with one tab stop: arrows
// move the selection (by one, or by a row of `columns`), Home/End and Page Up/Down jump, Enter
// opens. The moved-to item may not be rendered yet, so focus follows once it is.
import { useCallback, useEffect, useRef, type KeyboardEvent, type RefObject } from 'react';

interface GridKeys {
  count: number;
  columns: number;
  /** rows a Page Up/Down moves */
  pageRows: number;
  current: number;
  container: RefObject<HTMLElement | null>;
  select(index: number): void;
  open(index: number): void;
  /** brings the item's row into view */
  reveal(index: number): void;
  /** the grid can be laid out (it has a width and items) */
  ready: boolean;
}

export function useGridKeys({
  count,
  columns,
  pageRows,
  current,
  container,
  select,
  open,
  reveal,
  ready,
}: GridKeys) {
  const pendingFocus = useRef<number | null>(null);
  const revealed = useRef(false);

  // Once, when it can be laid out: coming back from the viewer, or switching between gallery and
  // list, the selected document is scrolled into view; and if nothing has the focus (the screen
  // the user came from is gone), it gets it, so keyboard users continue where they were.
  useEffect(() => {
    if (revealed.current || !ready) return;
    revealed.current = true;
    if (current < 0) return;
    reveal(current);
    if (document.activeElement !== null && document.activeElement !== document.body) return;
    const element = container.current?.querySelector<HTMLElement>(`[data-index-key="${current}"]`);
    // Already rendered (no scroll was needed, so no render follows): focus it now.
    if (element) element.focus({ preventScroll: true });
    else pendingFocus.current = current;
  }, [ready, current, reveal, container]);

  // Runs after every render: the item to focus may only now have been rendered by the virtualizer.
  useEffect(() => {
    const index = pendingFocus.current;
    if (index === null) return;
    const element = container.current?.querySelector<HTMLElement>(`[data-index-key="${index}"]`);
    if (element) {
      pendingFocus.current = null;
      element.focus({ preventScroll: true });
    }
  });

  return useCallback(
    (event: KeyboardEvent) => {
      if (count === 0) return;
      const at = current < 0 ? 0 : current;
      let next: number;
      switch (event.key) {
        case 'ArrowRight':
          next = at + 1;
          break;
        case 'ArrowLeft':
          next = at - 1;
          break;
        case 'ArrowDown':
          next = at + columns;
          break;
        case 'ArrowUp':
          next = at - columns;
          break;
        case 'PageDown':
          next = at + columns * pageRows;
          break;
        case 'PageUp':
          next = at - columns * pageRows;
          break;
        case 'Home':
          next = 0;
          break;
        case 'End':
          next = count - 1;
          break;
        case 'Enter':
          event.preventDefault();
          open(at);
          return;
        default:
          return;
      }
      event.preventDefault();
      next = Math.max(0, Math.min(count - 1, next));
      select(next);
      reveal(next);
      pendingFocus.current = next;
    },
    [count, columns, pageRows, current, select, open, reveal],
  );
}

/**
 * Selection follows keyboard focus, not the mouse: a press focuses the button before its click,
 * and selecting then would open the details panel, narrow the grid and move the cell away from
 * under the pointer, so the click that should open the document would land elsewhere.
 */
export function useFocusSelects(select: (index: number) => void) {
  const pointerDown = useRef(false);
  return {
    containerProps: {
      onPointerDown: () => {
        pointerDown.current = true;
      },
      onPointerUp: () => {
        pointerDown.current = false;
      },
    },
    focusSelects: (index: number) => {
      if (!pointerDown.current) select(index);
    },
  };
}
