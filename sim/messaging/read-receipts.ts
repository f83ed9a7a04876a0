import { unixTimestampSeconds } from 'baileys';
import type { BinaryNode } from '../binary/node-codec.js';
import type { SimContext } from '../context.js';
import type { User } from '../world/users.js';

/**
 * The user of simulated phone `phone` reads messages it received: each sending device gets one read
 * receipt (`type="read"`, further ids in `<list>`) from the address it wrote to.
 */
export function readMessages(ctx: SimContext, phone: User, ids: string[]): { read: string[]; unknown: string[] } {
  const now = unixTimestampSeconds();
  const bySender = new Map<string, { phone: string; deviceId: number; chat: string; ids: string[] }>();
  const read: string[] = [];
  const unknown: string[] = [];
  for (const id of new Set(ids)) {
    const received = ctx.world.inbox.find(phone.phone, id).filter((m) => !m.ownCopy);
    if (received.length === 0) {
      unknown.push(id);
      continue;
    }
    read.push(id);
    ctx.world.inbox.setRead(phone.phone, id, now);
    for (const message of received) {
      if (message.fromDevice === 0) {
        // sent by another simulated phone: no device to notify, only its status changes
        ctx.world.outbox.advance(message.fromPhone, id, 'read');
        continue;
      }
      const key = `${message.fromPhone}:${message.fromDevice}|${message.chat}`;
      let group = bySender.get(key);
      if (!group) bySender.set(key, (group = { phone: message.fromPhone, deviceId: message.fromDevice, chat: message.chat, ids: [] }));
      group.ids.push(id);
    }
  }
  for (const group of bySender.values()) {
    const [first, ...rest] = group.ids;
    const receipt: BinaryNode = { tag: 'receipt', attrs: { from: group.chat, id: first, type: 'read', t: String(now) } };
    if (rest.length) receipt.content = [{ tag: 'list', attrs: {}, content: rest.map((id) => ({ tag: 'item', attrs: { id } })) }];
    ctx.delivery.deliver(group.phone, group.deviceId, receipt);
  }
  return { read, unknown };
}
