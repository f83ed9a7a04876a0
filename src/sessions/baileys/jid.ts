import { jidDecode, jidNormalizedUser } from 'baileys';
import { AppError } from '../../core/errors.js';

const PHONE = /^\+?[0-9][0-9 ().-]{5,20}$/;

/**
 * The canonical jid for what a user typed as a recipient: phone digits (spaces, dashes and a
 * leading + are allowed), a phone jid (`…@s.whatsapp.net`) or a LID jid (`…@lid`).
 */
export function normalizeRecipient(to: string): string {
  const value = to.trim();
  if (PHONE.test(value)) {
    const digits = value.replace(/\D/g, '');
    if (digits.length < 6 || digits.length > 15) {
      throw new AppError('validation_failed', `'to' must be a phone number of 6 to 15 digits, got ${digits.length}`);
    }
    return `${digits}@s.whatsapp.net`;
  }
  const decoded = value.includes('@') ? jidDecode(value) : undefined;
  if (!decoded || !decoded.user || !/^[0-9]+$/.test(decoded.user)) {
    throw new AppError('validation_failed', `'to' must be phone digits or a jid like 6281234567890@s.whatsapp.net, got '${to}'`);
  }
  if (decoded.server !== 's.whatsapp.net' && decoded.server !== 'lid') {
    throw new AppError('validation_failed', `'to' must be a 1:1 chat (@s.whatsapp.net or @lid); '${decoded.server}' is not supported yet`);
  }
  return jidNormalizedUser(value);
}

export function phoneOfJid(jid: string | null | undefined): string | null {
  if (!jid) return null;
  const d = jidDecode(jid);
  return d && d.server === 's.whatsapp.net' ? d.user : null;
}

export function isLidJid(jid: string | null | undefined): boolean {
  return !!jid && jid.endsWith('@lid');
}

export const userJid = (jid: string) => jidNormalizedUser(jid);
