import type { Chat } from '../api/types';

/** Display helpers: phones, times, codes. */

/** '6281234567890' → '+6281234567890' (country plans differ too much to guess the grouping). */
export function formatPhone(phone: string | null | undefined): string {
  if (!phone) return '';
  const digits = phone.replace(/\D/g, '');
  return digits ? `+${digits}` : phone;
}

/** The phone digits of a jid like '6281234567890@s.whatsapp.net' or '6281234567890:3@s.whatsapp.net'. */
export function jidPhone(jid: string | null | undefined): string | null {
  if (!jid) return null;
  const m = jid.match(/^(\d+)(?::\d+)?@s\.whatsapp\.net$/);
  return m ? m[1] : null;
}

/** '2026-01-02T10:00:00Z' → '10:00' today, 'Mon' this week, '2 Jan' otherwise. */
export function formatChatTime(iso: string | null | undefined, now = new Date()): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const sameDay = d.toDateString() === now.toDateString();
  if (sameDay) return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  const days = (now.getTime() - d.getTime()) / 86_400_000;
  if (days < 6) return d.toLocaleDateString(undefined, { weekday: 'short' });
  return d.toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** '5 s ago', '3 min ago', 'in 2 min'. */
export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return '—';
  const diff = Math.round((t - now) / 1000);
  const abs = Math.abs(diff);
  const [value, unit] =
    abs < 60 ? [abs, 's'] : abs < 3600 ? [Math.round(abs / 60), 'min'] : abs < 86_400 ? [Math.round(abs / 3600), 'h'] : [Math.round(abs / 86_400), 'd'];
  if (abs < 5) return 'just now';
  return diff < 0 ? `${value} ${unit} ago` : `in ${value} ${unit}`;
}

/** 'ABCD1234' → 'ABCD-1234'. */
export function groupPairingCode(code: string): string {
  const c = code.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
  return c.length === 8 ? `${c.slice(0, 4)}-${c.slice(4)}` : c;
}

/**
 * The API's messages are written like log lines ("session 'x' was not found"); shown to a person
 * they read as a sentence: a capital first letter and a full stop.
 */
export function asSentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const acronym = t.match(/^(url|qr|id|json|api)\b/);
  const capitalised = acronym ? acronym[1].toUpperCase() + t.slice(acronym[1].length) : /^[a-z]/.test(t) ? t[0].toUpperCase() + t.slice(1) : t;
  return /[.!?…]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

/** Digits only, for phone inputs that accept '+62 812-…'. */
export function digitsOnly(value: string): string {
  return value.replace(/\D/g, '');
}

/** A chat's display name: its contact name, else its phone, else the jid. */
export function chatTitle(c: Pick<Chat, 'name' | 'phone' | 'chat'>): string {
  return c.name || (c.phone ? formatPhone(c.phone) : null) || formatPhone(jidPhone(c.chat)) || c.chat;
}
