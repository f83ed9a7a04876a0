import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { errorMessage } from '../api/client';
import { CloseIcon } from './icons';
import { Button, ErrorNotice } from './ui';

export interface DialogProps {
  open: boolean;
  onClose(): void;
  title: string;
  description?: ReactNode;
  children?: ReactNode;
  footer?: ReactNode;
  size?: 'sm' | 'md' | 'lg';
  /** Refuse Escape / backdrop / ✕ (e.g. while a secret must be acknowledged). */
  dismissable?: boolean;
}

/**
 * A modal dialog on the native <dialog> element: showModal() makes the page behind it inert
 * (focus stays inside), Escape closes it, and focus returns to the opener on close.
 */
export function Dialog({ open, onClose, title, description, children, footer, size = 'md', dismissable = true }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descId = useId();
  const opener = useRef<Element | null>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (open && !el.open) {
      opener.current = document.activeElement;
      el.showModal();
      const first = el.querySelector<HTMLElement>('[autofocus], [data-autofocus]');
      first?.focus();
    } else if (!open && el.open) {
      el.close();
    }
  }, [open]);

  useEffect(() => {
    const el = ref.current;
    return () => {
      if (el?.open) el.close();
      if (opener.current instanceof HTMLElement && opener.current.isConnected) opener.current.focus();
    };
  }, []);

  const width = size === 'sm' ? 'max-w-sm' : size === 'lg' ? 'max-w-2xl' : 'max-w-md';
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={description ? descId : undefined}
      onCancel={(e) => {
        e.preventDefault();
        if (dismissable) onClose();
      }}
      onClick={(e) => {
        if (e.target === e.currentTarget && dismissable) onClose();
      }}
      onClose={() => {
        if (open) onClose();
        if (opener.current instanceof HTMLElement && opener.current.isConnected) opener.current.focus();
      }}
      className={`m-auto w-[calc(100%-1.5rem)] ${width} max-h-[calc(100dvh-1.5rem)] overflow-hidden rounded-2xl bg-white p-0 text-zinc-900 shadow-2xl ring-1 ring-zinc-900/5 backdrop:bg-zinc-950/50 backdrop:backdrop-blur-[2px]`}
    >
      {open && (
        <div className="flex max-h-[calc(100dvh-1.5rem)] flex-col">
          <div className="flex items-start gap-3 border-b border-zinc-100 px-5 py-4">
            <div className="min-w-0 flex-1">
              <h2 id={titleId} className="text-base font-semibold text-zinc-900">
                {title}
              </h2>
              {description && (
                <div id={descId} className="mt-1 text-sm text-zinc-600">
                  {description}
                </div>
              )}
            </div>
            {dismissable && (
              <button
                type="button"
                onClick={onClose}
                aria-label="Close"
                className="-m-1 rounded-md p-1 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800"
              >
                <CloseIcon />
              </button>
            )}
          </div>
          <div className="overflow-y-auto px-5 py-4">{children}</div>
          {footer && <div className="flex flex-wrap justify-end gap-2 border-t border-zinc-100 bg-zinc-50/60 px-5 py-3">{footer}</div>}
        </div>
      )}
    </dialog>
  );
}

export interface ConfirmProps {
  open: boolean;
  onClose(): void;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  /** Runs on confirm; a thrown error is shown in the dialog in words and keeps it open. */
  onConfirm(): Promise<unknown>;
}

/** "Are you sure?" with the API's error message shown in place when the action is refused. */
export function ConfirmDialog({ open, onClose, title, children, confirmLabel, danger = false, onConfirm }: ConfirmProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (open) setError(null);
  }, [open]);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      onClose();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={title}
      size="sm"
      footer={
        <>
          <Button onClick={onClose} data-autofocus>
            Cancel
          </Button>
          <Button variant={danger ? 'danger' : 'primary'} busy={busy} onClick={confirm}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      <div className="space-y-3 text-sm text-zinc-700">
        {children}
        {error && <ErrorNotice error={error} />}
      </div>
    </Dialog>
  );
}
