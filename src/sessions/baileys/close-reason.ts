import type { CloseReason } from '../engine.js';

/** Maps a Baileys `lastDisconnect.error` (a Boom) onto kirim's close kinds. */
export function mapCloseReason(error: unknown, endedByUs: boolean): CloseReason {
  const boom = error as { output?: { statusCode?: number }; message?: string } | undefined;
  const code = boom?.output?.statusCode;
  const message = boom?.message ?? 'connection closed';
  if (endedByUs) return { kind: 'ended', code, message };
  switch (code) {
    case 515:
      return { kind: 'restart_required', code, message };
    case 401:
      return { kind: 'logged_out', code, message: 'the device was logged out from the phone or by WhatsApp' };
    case 440:
      return { kind: 'replaced', code, message: 'the same device connected from somewhere else (connection replaced)' };
    case 403:
      return { kind: 'bad_session', code, message: 'WhatsApp refused this account (forbidden)' };
    case 411:
      return { kind: 'bad_session', code, message: 'multi-device mismatch: the account must be linked again' };
    case 408:
      if (/QR refs attempts ended/i.test(message)) return { kind: 'qr_timeout', code, message: 'no QR code was scanned in time' };
      return { kind: 'transient', code, message };
    default:
      return { kind: 'transient', code, message };
  }
}
