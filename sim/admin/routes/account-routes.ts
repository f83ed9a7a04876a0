import { lidJid, pnJid } from '../../binary/jid.js';
import { unlinkDevices } from '../../connection/unlink-devices.js';
import type { SimContext } from '../../context.js';
import type { User } from '../../world/users.js';
import { AdminError } from '../admin-error.js';
import type { AdminRoute } from '../admin-route.js';
import { parsePhoneParam } from '../validation.js';

export function requireAccount(ctx: SimContext, rawPhone: string): User {
  const phone = parsePhoneParam(rawPhone);
  const user = ctx.world.users.find(phone);
  if (!user?.isAccount) throw new AdminError(404, 'account_not_found', `no account with phone ${phone}`);
  return user;
}

function describeAccount(ctx: SimContext, user: User) {
  return {
    phone: user.phone,
    jid: pnJid(user.phone),
    lid: lidJid(user.lid),
    pushName: user.pushName,
    devices: ctx.world.devices.listActive(user.phone).map((d) => ({
      id: d.deviceId,
      jid: pnJid(user.phone, d.deviceId),
      keyIndex: d.keyIndex,
      platform: d.platform ?? null,
      online: ctx.online.get(user.phone, d.deviceId)?.isOpen ?? false,
      /** one-time prekeys the device uploaded that were not handed out yet */
      preKeys: ctx.world.devicePreKeys.count(user.phone, d.deviceId),
      linkedAt: new Date(d.createdAt * 1000).toISOString(),
    })),
  };
}

export const accountRoutes: AdminRoute[] = [
  {
    method: 'GET',
    path: '/admin/accounts',
    handle: ({ ctx }) => ({
      body: {
        accounts: ctx.world.users.listAccounts().map((a) => ({
          phone: a.phone,
          lid: lidJid(a.lid),
          pushName: a.pushName,
          onlineDevices: ctx.online.ofAccount(a.phone).length,
        })),
      },
    }),
  },
  {
    method: 'GET',
    path: '/admin/accounts/:phone',
    handle: ({ ctx, params }) => ({ body: describeAccount(ctx, requireAccount(ctx, params.phone)) }),
  },
  {
    method: 'POST',
    path: '/admin/accounts/:phone/logout',
    handle: ({ ctx, params }) => {
      const user = requireAccount(ctx, params.phone);
      return { body: { phone: user.phone, removedDevices: unlinkDevices(ctx, user.phone) } };
    },
  },
  {
    method: 'POST',
    path: '/admin/accounts/:phone/drop',
    handle: ({ ctx, params }) => {
      const user = requireAccount(ctx, params.phone);
      const connections = ctx.online.ofAccount(user.phone);
      for (const conn of connections) {
        ctx.online.detach(conn);
        conn.terminate();
      }
      return { body: { phone: user.phone, droppedConnections: connections.length } };
    },
  },
];
