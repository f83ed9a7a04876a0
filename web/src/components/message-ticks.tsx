import type { MessageStatus } from '../api/types';

/** ✓ sent, ✓✓ delivered, blue ✓✓ read, ⚠ failed (reason in the tooltip), a clock while pending. */
export function MessageTicks({ status, error, className = '' }: { status: MessageStatus; error?: string | null; className?: string }) {
  if (status === 'failed') {
    const reason = error ? `Failed: ${error}` : 'Failed to send';
    return (
      <span className={`font-semibold text-red-600 ${className}`} title={reason} aria-label={reason} role="img">
        ⚠
      </span>
    );
  }
  if (status === 'pending') {
    return (
      <svg viewBox="0 0 16 16" className={`inline size-3.5 text-zinc-400 ${className}`} role="img" aria-label="Sending">
        <title>Sending</title>
        <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" strokeWidth="1.5" />
        <path d="M8 4.5V8l2.5 1.5" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
      </svg>
    );
  }
  const label = status === 'read' ? 'Read' : status === 'delivered' ? 'Delivered' : 'Sent';
  const color = status === 'read' ? 'text-sky-500' : 'text-zinc-400';
  return (
    <svg viewBox="0 0 20 14" className={`inline h-3.5 w-5 ${color} ${className}`} role="img" aria-label={label} data-status={status}>
      <title>{label}</title>
      {status === 'sent' ? (
        <path d="M4 7.5l3 3 7-7.5" fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinecap="round" strokeLinejoin="round" />
      ) : (
        <>
          <path d="M1.5 7.5l3 3 7-7.5" fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinecap="round" strokeLinejoin="round" />
          <path d="M8.5 10.5l7-7.5" fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinecap="round" strokeLinejoin="round" />
        </>
      )}
    </svg>
  );
}
