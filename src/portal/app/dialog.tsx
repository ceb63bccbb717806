// A modal built on the native <dialog>: the browser traps focus, Escape closes it and the rest of
// the page is inert while it is open. Focus returns to whatever opened it.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export function Modal({
  open,
  onClose,
  titleId,
  className,
  children,
}: {
  open: boolean;
  onClose: () => void;
  /** The id of the heading inside that names the dialog. */
  titleId: string;
  className?: string;
  children: ComponentChildren;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<Element | null>(null);

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      opener.current = document.activeElement;
      element.showModal();
    } else if (!open && element.open) {
      element.close();
    }
  }, [open]);

  return (
    <dialog
      ref={dialog}
      aria-labelledby={titleId}
      class={className}
      onClose={() => {
        onClose();
        const back = opener.current;
        opener.current = null;
        if (back instanceof HTMLElement && back.isConnected) back.focus();
      }}
    >
      {open && children}
    </dialog>
  );
}

/** A dialog form's buttons: its action (not disabled while busy, so focus stays; a second press does nothing) and Cancel. */
export function FormButtons({ action, busy, onCancel }: { action: ComponentChildren; busy: boolean; onCancel: () => void }) {
  return (
    <div class="buttons">
      <button type="submit" class="primary" aria-disabled={busy ? 'true' : undefined}>
        {action}
      </button>
      <button type="button" class="secondary" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
