import { unixTimestampSeconds } from 'baileys';
import type { BinaryNode } from '../binary/node-codec.js';
import { child, children } from '../binary/node-content.js';
import { parseUserJid, type UserJid } from '../binary/jid.js';
import type { StanzaHandler } from '../stanzas/stanza-handler.js';
import type { User, Users } from '../world/users.js';
import { forwardToDevice } from './forward-to-device.js';
import { phoneReceives } from './phone-receives.js';

/** One `<to jid><enc/></to>` of a client message (or its only `<enc>` when it addresses one device). */
interface Copy {
  jid: string;
  enc: BinaryNode;
}

function copiesOf(stanza: BinaryNode): Copy[] {
  const participants = child(stanza, 'participants');
  if (participants) {
    return children(participants, 'to').flatMap((to) => {
      const enc = child(to, 'enc');
      return enc && to.attrs.jid ? [{ jid: to.attrs.jid, enc }] : [];
    });
  }
  const enc = child(stanza, 'enc');
  return enc && stanza.attrs.to ? [{ jid: stanza.attrs.to, enc }] : [];
}

/**
 * A companion sends a message: each encrypted copy goes to its device — simulated phones (device 0)
 * decrypt theirs, linked companions get theirs forwarded (queued while offline). The sender gets the
 * server ack, then delivery receipts from the phones that decrypted their copy.
 */
export const handleClientMessage: StanzaHandler = async (ctx, conn, stanza) => {
  const device = conn.device!;
  const { id, to } = stanza.attrs;
  const sender = ctx.world.users.find(device.phone);
  if (!id || !to || !sender) throw new Error('message without id or to');
  if (!parseUserJid(to)) {
    ctx.logger.debug({ ...device, to }, 'message to a non-user jid (groups, broadcasts, newsletters are not simulated)');
    conn.send(messageAck(stanza, '404'));
    return;
  }
  const copies = copiesOf(stanza);
  const receipts: BinaryNode[] = [];
  let undecryptableResend = false;
  const from = { user: sender, deviceId: device.deviceId };
  for (const copy of copies) {
    const target = resolveTarget(ctx.world.users, copy.jid);
    if (!target) {
      ctx.logger.debug({ ...device, jid: copy.jid }, 'message copy for an unknown address dropped');
      continue;
    }
    if (target.jid.device !== 0) {
      forwardToDevice(ctx, from, target.user, target.jid, stanza, copy.enc);
      continue;
    }
    const outcome = await phoneReceives(ctx, from, target.user, target.jid, stanza, copy.enc);
    // a participant-only resend (answer to a retry receipt) that still fails is refused instead of retried again
    if (!outcome.decrypted && copy.enc.attrs.count) undecryptableResend = true;
    else if (outcome.receipt) receipts.push(outcome.receipt);
  }
  ctx.stats.messages++;
  conn.send(messageAck(stanza, undecryptableResend ? '500' : undefined));
  for (const receipt of receipts) ctx.delivery.deliver(device.phone, device.deviceId, receipt);
};

function resolveTarget(users: Users, jid: string): { jid: UserJid; user: User } | undefined {
  const parsed = parseUserJid(jid);
  const user = parsed && users.resolve(parsed, true);
  return parsed && user ? { jid: parsed, user } : undefined;
}

function messageAck(stanza: BinaryNode, error?: string): BinaryNode {
  const attrs: Record<string, string> = { class: 'message', id: stanza.attrs.id ?? '', from: stanza.attrs.to ?? '', t: String(unixTimestampSeconds()) };
  if (error) attrs.error = error;
  return { tag: 'ack', attrs };
}
