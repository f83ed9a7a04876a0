import { jidEncode } from 'baileys';

export const SERVER_JID = 's.whatsapp.net';

export type UserServer = 's.whatsapp.net' | 'lid';

/** A user or device address: `user[:device]@s.whatsapp.net` (phone number) or `…@lid`. */
export interface UserJid {
  user: string;
  device: number;
  server: UserServer;
}

const JID_PATTERN = /^(\d+)(?:_\d+)?(?::(\d+))?@(s\.whatsapp\.net|lid)$/;

/** Parses a phone-number or LID jid; undefined for anything else (groups, hosted, malformed). */
export function parseUserJid(jid: string | undefined): UserJid | undefined {
  const match = jid ? JID_PATTERN.exec(jid) : null;
  if (!match) return undefined;
  return { user: match[1], device: match[2] ? Number(match[2]) : 0, server: match[3] as UserServer };
}

export function formatJid(user: string, server: UserServer, device = 0): string {
  return jidEncode(user, server, device);
}

export const pnJid = (phone: string, device = 0): string => formatJid(phone, 's.whatsapp.net', device);
export const lidJid = (lid: string, device = 0): string => formatJid(lid, 'lid', device);

/** Baileys addresses the server as `@s.whatsapp.net` (empty user); both spellings mean the server. */
export function isServerJid(jid: string | undefined): boolean {
  return jid === undefined || jid === SERVER_JID || jid === `@${SERVER_JID}`;
}
