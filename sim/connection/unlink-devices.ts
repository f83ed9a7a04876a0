import type { BinaryNode } from '../binary/node-codec.js';
import type { SimContext } from '../context.js';

const DEVICE_REMOVED: BinaryNode = {
  tag: 'stream:error',
  attrs: { code: '401' },
  content: [{ tag: 'conflict', attrs: { type: 'device_removed' } }],
};

/**
 * Unlinks devices of an account (all of them when `deviceIds` is omitted): they can no longer log in,
 * their prekeys and queued stanzas are dropped, and connected ones get a logged-out stream error.
 */
export function unlinkDevices(ctx: SimContext, phone: string, deviceIds?: number[]): number[] {
  const removed = ctx.world.transaction(() => {
    const ids = deviceIds ? deviceIds.filter((id) => ctx.world.devices.remove(phone, id)) : ctx.world.devices.removeAllOf(phone);
    for (const id of ids) {
      ctx.world.devicePreKeys.clear(phone, id);
      ctx.world.deliveryQueue.clear(phone, id);
    }
    return ids;
  });
  for (const id of removed) {
    const conn = ctx.online.get(phone, id);
    if (!conn) continue;
    ctx.online.detach(conn);
    conn.closeWith(DEVICE_REMOVED);
  }
  if (removed.length) ctx.logger.info({ phone, devices: removed }, 'devices unlinked');
  return removed;
}
