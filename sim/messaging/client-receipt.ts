import { unixTimestampSeconds } from 'baileys';
import type { BinaryNode } from '../binary/node-codec.js';
import { child, children } from '../binary/node-content.js';
import { lidJid, parseUserJid, pnJid, type UserJid } from '../binary/jid.js';
import type { DeviceAddress } from '../connection/client-connection.js';
import type { SimContext } from '../context.js';
import type { StanzaHandler } from '../stanzas/stanza-handler.js';
import type { OutboxStatus } from '../world/outbox.js';
import type { User } from '../world/users.js';
import { answerRetryReceipt } from './retry-receipt.js';

/** Every message id a receipt covers: its `id` plus `<list><item id/></list>`. */
export function receiptIds(node: BinaryNode): string[] {
  const ids = node.attrs.id ? [node.attrs.id] : [];
  for (const item of children(child(node, 'list'), 'item')) if (item.attrs.id) ids.push(item.attrs.id);
  return ids;
}

const STATUS_BY_TYPE: Record<string, OutboxStatus> = { '': 'delivered', inactive: 'delivered', read: 'read', 'read-self': 'read', played: 'read' };

/**
 * A companion's receipt: it acknowledges the messages it names, updates the status of a simulated
 * phone's messages (or marks its history sync done), or is relayed to the companion that sent them.
 * Retry receipts make the phone resend on a new session. The server acks every receipt.
 */
export const handleClientReceipt: StanzaHandler = async (ctx, conn, node) => {
  const device = conn.device!;
  const ids = receiptIds(node);
  const type = node.attrs.type ?? '';
  const to = parseUserJid(node.attrs.to);
  const target = to && ctx.world.users.resolve(to, false);
  if (type !== 'retry') for (const id of ids) ctx.delivery.acknowledge(device.phone, device.deviceId, 'message', id);
  if (to && target) {
    if (to.device !== 0) relayReceipt(ctx, device, target, to, node);
    else if (type === 'retry') await answerRetryReceipt(ctx, conn, target, node);
    else updatePhoneMessages(ctx, device, target, ids, type);
  }
  conn.send({ tag: 'ack', attrs: { class: 'receipt', id: node.attrs.id ?? '', from: node.attrs.to ?? '', ...(type ? { type } : {}) } });
};

function updatePhoneMessages(ctx: SimContext, device: DeviceAddress, phone: User, ids: string[], type: string): void {
  const status = STATUS_BY_TYPE[type];
  for (const id of ids) {
    if (status) ctx.world.outbox.advance(phone.phone, id, status);
    if (type === 'hist_sync' && phone.phone === device.phone && ctx.world.outbox.find(phone.phone, id)?.category === 'peer') {
      ctx.world.devices.markHistorySynced(device.phone, device.deviceId);
    }
  }
}

/** Relays a receipt to the companion it is addressed to, from the reader's address in the same form. */
function relayReceipt(ctx: SimContext, reader: DeviceAddress, account: User, to: UserJid, node: BinaryNode): void {
  const user = ctx.world.users.find(reader.phone)!;
  const attrs: Record<string, string> = {
    from: to.server === 'lid' ? lidJid(user.lid) : pnJid(user.phone),
    id: node.attrs.id ?? '',
    t: node.attrs.t ?? String(unixTimestampSeconds()),
  };
  for (const name of ['type', 'recipient'] as const) if (node.attrs[name]) attrs[name] = node.attrs[name];
  if (account.phone === reader.phone) attrs.participant = to.server === 'lid' ? lidJid(user.lid, reader.deviceId) : pnJid(user.phone, reader.deviceId);
  const content = Array.isArray(node.content) ? node.content : undefined;
  ctx.delivery.deliver(account.phone, to.device, { tag: 'receipt', attrs, content });
}
