import { unixTimestampSeconds } from 'baileys';
import type { BinaryNode } from '../binary/node-codec.js';
import { lidJid, pnJid } from '../binary/jid.js';
import type { EncType } from '../signal/phone-cipher.js';
import type { Addressing } from '../world/outbox.js';
import type { User } from '../world/users.js';

export interface PhoneMessage {
  id: string;
  /** "peer": the account's own phone talking to its companions (from its phone number, category="peer") */
  addressing: Addressing | 'peer';
  enc: { type: EncType; ciphertext: Buffer };
  /** the resend number, on answers to retry receipts */
  retryCount?: number;
  timestamp?: number;
}

/**
 * A message from a simulated phone (device 0) to a companion device, addressed the way WhatsApp does:
 * LID-addressed with `sender_pn`, LID-addressed alone (the number is not shared: the companion learns
 * it later, if ever), phone-number-addressed with `sender_lid`, or a peer message from the account's
 * own phone.
 */
export function phoneMessageStanza(sender: User, message: PhoneMessage): BinaryNode {
  const common = { id: message.id, t: String(message.timestamp ?? unixTimestampSeconds()), type: 'text', notify: sender.pushName };
  const addressing: Record<string, string> =
    message.addressing === 'peer'
      ? { from: pnJid(sender.phone), category: 'peer' }
      : message.addressing === 'lid'
        ? { from: lidJid(sender.lid), sender_pn: pnJid(sender.phone), addressing_mode: 'lid' }
        : message.addressing === 'lid_only'
          ? { from: lidJid(sender.lid), addressing_mode: 'lid' }
          : { from: pnJid(sender.phone), sender_lid: lidJid(sender.lid) };
  const encAttrs: Record<string, string> = { v: '2', type: message.enc.type };
  if (message.retryCount) encAttrs.count = String(message.retryCount);
  return {
    tag: 'message',
    attrs: { ...addressing, ...common },
    content: [{ tag: 'enc', attrs: encAttrs, content: message.enc.ciphertext }],
  };
}
