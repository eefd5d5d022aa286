// Focus handling every modal dialog shares: focus moves in when it opens (to `initial`, or the
// dialog itself) and back to where it was when it closes; Tab and Shift+Tab cycle through its
// buttons; Escape calls `onEscape` when the dialog may be dismissed.
import { useEffect, type KeyboardEvent, type RefObject } from 'react';

export function useModalFocus(
  dialogRef: RefObject<HTMLElement | null>,
  initialRef?: RefObject<HTMLElement | null>,
  onEscape?: () => void,
): (event: KeyboardEvent) => void {
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    (initialRef?.current ?? dialogRef.current)?.focus();
    return () => before?.focus?.();
    // Once per opening: the refs are stable, and focus moves only when the dialog opens.
  }, []);

  return (event) => {
    if (event.key === 'Escape' && onEscape) {
      event.preventDefault();
      onEscape();
      return;
    }
    if (event.key !== 'Tab') return;
    const dialog = dialogRef.current;
    const buttons = [...(dialog?.querySelectorAll<HTMLElement>('button:not(:disabled)') ?? [])];
    const first = buttons[0];
    const last = buttons[buttons.length - 1];
    const active = document.activeElement;
    if (event.shiftKey && (active === first || active === dialog)) {
      event.preventDefault();
      last?.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first?.focus();
    }
  };
}
