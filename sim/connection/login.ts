import { unixTimestampSeconds } from 'baileys';
import type { proto } from 'baileys';
import type { BinaryNode } from '../binary/node-codec.js';
import { lidJid, SERVER_JID } from '../binary/jid.js';
import type { SimContext } from '../context.js';
import type { Device } from '../world/devices.js';
import type { ClientConnection } from './client-connection.js';

const LOGIN_REFUSED: BinaryNode = { tag: 'failure', attrs: { reason: '401', location: 'sim' } };
const REPLACED: BinaryNode = { tag: 'stream:error', attrs: {}, content: [{ tag: 'conflict', attrs: { type: 'replaced' } }] };

/** Runs after `<ib><offline/></ib>` of every successful login (the phone's history-sync hand-off). */
export type AfterLoginHook = (ctx: SimContext, conn: ClientConnection, device: Device) => void;

/**
 * A linked companion logs in with saved creds: the (phone, device) must be linked and not removed, and
 * the Noise static key must be the one it paired with. An older connection of the same device is
 * replaced. Then `<success>`, every unacknowledged stanza (offline) and `<ib><offline/></ib>`.
 */
export function login(ctx: SimContext, conn: ClientConnection, payload: proto.ClientPayload, afterLogin?: AfterLoginHook): void {
  const phone = String(payload.username ?? '');
  const deviceId = payload.device ?? 0;
  const device = /^\d+$/.test(phone) ? ctx.world.devices.find(phone, deviceId) : undefined;
  if (!device || device.removed || !conn.clientStatic?.equals(device.noisePub)) {
    const reason = !device ? 'unknown device' : device.removed ? 'device removed' : 'noise key mismatch';
    ctx.logger.info({ conn: conn.id, phone, deviceId, reason }, 'login refused');
    conn.closeWith(LOGIN_REFUSED);
    return;
  }
  const user = ctx.world.users.find(phone);
  if (!user) throw new Error(`device ${phone}:${deviceId} has no user`);
  conn.device = { phone, deviceId };
  const previous = ctx.online.attach(conn);
  if (previous?.isOpen) {
    ctx.stats.conflicts++;
    ctx.logger.info({ phone, deviceId, old: previous.id, new: conn.id }, 'device connected twice: replacing the older connection');
    previous.closeWith(REPLACED);
  } else {
    previous?.close();
  }
  const logins = ctx.world.devices.recordLogin(phone, deviceId);
  const now = unixTimestampSeconds();
  conn.send({
    tag: 'success',
    attrs: {
      t: String(now),
      lid: lidJid(user.lid, deviceId),
      display_name: user.pushName,
      creation: String(device.createdAt),
      location: 'sim',
      props: '1',
      abprops: '1',
    },
  });
  const pending = ctx.delivery.resendPending(conn);
  conn.send({ tag: 'ib', attrs: { from: SERVER_JID }, content: [{ tag: 'offline', attrs: { count: String(pending) } }] });
  ctx.logger.debug({ conn: conn.id, phone, deviceId, pending, logins }, 'device logged in');
  afterLogin?.(ctx, conn, device);
}
