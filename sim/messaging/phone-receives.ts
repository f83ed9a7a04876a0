import { proto, unixTimestampSeconds } from 'baileys';
import type { BinaryNode } from '../binary/node-codec.js';
import { contentBytes, uintBytes } from '../binary/node-content.js';
import { formatJid, type UserJid } from '../binary/jid.js';
import type { SimContext } from '../context.js';
import { PhoneCipher } from '../signal/phone-cipher.js';
import type { User } from '../world/users.js';
import { describeMessage } from './message-content.js';

export interface SendingDevice {
  user: User;
  deviceId: number;
}

/** What the phone sends back to the sending device: a delivery receipt, or a retry receipt when it could not decrypt. */
export type PhoneOutcome = { decrypted: true; receipt?: BinaryNode } | { decrypted: false; receipt: BinaryNode };

/**
 * A simulated phone (device 0 of `phone`) receives its copy of a companion's message: it decrypts it,
 * records it in its inbox (for the account's own phone, the DeviceSentMessage copy of what the account
 * sent) and answers with a delivery receipt — or a retry receipt when the copy does not decrypt.
 */
export async function phoneReceives(
  ctx: SimContext,
  sender: SendingDevice,
  phone: User,
  addressed: UserJid,
  stanza: BinaryNode,
  enc: BinaryNode,
): Promise<PhoneOutcome> {
  const id = stanza.attrs.id!;
  const from = formatJid(addressed.user, addressed.server);
  let message: proto.Message;
  try {
    const type = enc.attrs.type;
    const ciphertext = contentBytes(enc);
    if ((type !== 'pkmsg' && type !== 'msg') || !ciphertext) throw new Error(`unsupported enc type "${type}"`);
    const plaintext = await new PhoneCipher(ctx.world, phone).decrypt(sender.user.lid, sender.deviceId, type, ciphertext);
    message = proto.Message.decode(plaintext);
  } catch (err) {
    ctx.logger.warn({ phone: phone.phone, from: `${sender.user.phone}:${sender.deviceId}`, id, err: (err as Error).message }, 'phone could not decrypt a message');
    return { decrypted: false, receipt: retryReceipt(phone, from, stanza) };
  }
  const ownCopy = phone.phone === sender.user.phone;
  const sent = ownCopy ? message.deviceSentMessage : undefined;
  const { type, text } = describeMessage(sent?.message ?? message);
  // protocol messages (history requests, revokes, key shares) are acted on by real phones, not shown
  if (type !== 'protocolMessage') {
    const chat = sent?.destinationJid ?? from;
    const timestamp = unixTimestampSeconds();
    ctx.world.inbox.add(phone.phone, { id, fromPhone: sender.user.phone, fromDevice: sender.deviceId, chat, ownCopy, type, text, timestamp });
  }
  if (ownCopy) return { decrypted: true };
  return { decrypted: true, receipt: { tag: 'receipt', attrs: { from, id, t: String(unixTimestampSeconds()) } } };
}

function retryReceipt(phone: User, from: string, stanza: BinaryNode): BinaryNode {
  const id = stanza.attrs.id!;
  return {
    tag: 'receipt',
    attrs: { from, id, type: 'retry', t: String(unixTimestampSeconds()) },
    content: [
      { tag: 'retry', attrs: { count: '1', id, t: stanza.attrs.t ?? String(unixTimestampSeconds()), v: '1' } },
      { tag: 'registration', attrs: {}, content: uintBytes(phone.registrationId, 4) },
    ],
  };
}
