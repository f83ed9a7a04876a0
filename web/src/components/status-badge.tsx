import type { ReactNode } from 'react';
import type { SessionStatus } from '../api/types';

const SESSION: Record<SessionStatus, { label: string; dot: string; text: string }> = {
  starting: { label: 'Starting', dot: 'bg-zinc-400 animate-pulse', text: 'text-zinc-700 bg-zinc-100' },
  qr: { label: 'Waiting for scan', dot: 'bg-amber-500 animate-pulse', text: 'text-amber-800 bg-amber-50' },
  pairing: { label: 'Pairing', dot: 'bg-amber-500 animate-pulse', text: 'text-amber-800 bg-amber-50' },
  open: { label: 'Connected', dot: 'bg-accent-500', text: 'text-accent-800 bg-accent-50' },
  reconnecting: { label: 'Reconnecting', dot: 'bg-amber-500 animate-pulse', text: 'text-amber-800 bg-amber-50' },
  stopped: { label: 'Stopped', dot: 'bg-zinc-400', text: 'text-zinc-700 bg-zinc-100' },
  logged_out: { label: 'Logged out', dot: 'bg-zinc-400', text: 'text-zinc-700 bg-zinc-100' },
  failed: { label: 'Failed', dot: 'bg-red-500', text: 'text-red-800 bg-red-50' },
};

export function sessionStatusLabel(status: SessionStatus): string {
  return SESSION[status]?.label ?? status;
}

export function SessionStatusBadge({ status }: { status: SessionStatus }) {
  const s = SESSION[status] ?? SESSION.starting;
  return (
    <span className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ${s.text}`}>
      <span className={`size-1.5 rounded-full ${s.dot}`} aria-hidden="true" />
      {s.label}
    </span>
  );
}

const TONES = {
  green: 'text-accent-800 bg-accent-50',
  amber: 'text-amber-800 bg-amber-50',
  red: 'text-red-800 bg-red-50',
  zinc: 'text-zinc-700 bg-zinc-100',
} as const;

export function Badge({ tone = 'zinc', children }: { tone?: keyof typeof TONES; children: ReactNode }) {
  return <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ${TONES[tone]}`}>{children}</span>;
}
