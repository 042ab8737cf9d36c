/**
 * A modal on the native <dialog>: the browser traps focus, Escape closes it, and focus returns to
 * what opened it. Every confirmation and creation form in the UI uses this one.
 */
import { useEffect, useId, useRef, type ReactNode } from "react";

/**
 * Focus starts on the element marked `data-autofocus`, else on the dialog's first control. (React's
 * `autoFocus` cannot work here: it focuses while the dialog is still closed.) Confirmations of
 * something destructive mark their Cancel button, so Enter never destroys by accident.
 */
export function Dialog({
  open,
  title,
  onClose,
  children,
  className,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  className?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal?.();
      dialog.querySelector<HTMLElement>("[data-autofocus]")?.focus();
    }
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    // `cancel` (Escape) is followed by `close`, which is all the caller needs to hear.
    <dialog ref={ref} aria-labelledby={titleId} onClose={onClose} className={className}>
      {open && (
        <>
          <h2 id={titleId}>{title}</h2>
          {children}
        </>
      )}
    </dialog>
  );
}

/** The buttons at the foot of a dialog: Cancel first, the action last, at the right; `note` says why the action waits. */
export function DialogActions({ children, note }: { children: ReactNode; note?: ReactNode }) {
  return (
    <div className="row dialog-actions">
      {note && <p className="hint dialog-note">{note}</p>}
      {children}
    </div>
  );
}
