import { unixTimestampSeconds } from 'baileys';
import type { BinaryNode } from '../binary/node-codec.js';
import { child } from '../binary/node-content.js';
import { lidJid, pnJid, type UserJid } from '../binary/jid.js';
import type { SimContext } from '../context.js';
import type { User } from '../world/users.js';
import type { SendingDevice } from './phone-receives.js';

/**
 * Relays a companion's encrypted copy to another linked companion — a sibling of the same account (with
 * `recipient` = the chat) or a device of another account (with the sender's other address and push
 * name) — addressed in the form (LID or phone number) the sender used.
 */
export function forwardToDevice(ctx: SimContext, sender: SendingDevice, account: User, target: UserJid, stanza: BinaryNode, enc: BinaryNode): void {
  const device = ctx.world.devices.find(account.phone, target.device);
  if (!device || device.removed) {
    ctx.logger.debug({ to: `${account.phone}:${target.device}` }, 'copy for an unlinked device dropped');
    return;
  }
  const lid = target.server === 'lid';
  const attrs: Record<string, string> = {
    from: lid ? lidJid(sender.user.lid, sender.deviceId) : pnJid(sender.user.phone, sender.deviceId),
    id: stanza.attrs.id!,
    t: String(unixTimestampSeconds()),
    type: stanza.attrs.type ?? 'text',
  };
  if (account.phone === sender.user.phone) {
    attrs.recipient = stanza.attrs.recipient ?? stanza.attrs.to!;
  } else {
    if (lid) Object.assign(attrs, { sender_pn: pnJid(sender.user.phone), addressing_mode: 'lid' });
    else attrs.sender_lid = lidJid(sender.user.lid);
    attrs.notify = sender.user.pushName;
  }
  const content: BinaryNode[] = [enc];
  const identity = child(stanza, 'device-identity');
  if (identity) content.push(identity);
  ctx.delivery.deliver(account.phone, device.deviceId, { tag: 'message', attrs, content });
}
