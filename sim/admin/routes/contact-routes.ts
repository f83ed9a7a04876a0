import { z } from 'zod';
import { parseUserJid } from '../../binary/jid.js';
import type { SimContext } from '../../context.js';
import { sendTextFromPhone } from '../../messaging/phone-sends.js';
import { readMessages } from '../../messaging/read-receipts.js';
import type { InboxMessage } from '../../world/inbox.js';
import { AdminError } from '../admin-error.js';
import type { AdminRoute } from '../admin-route.js';
import { parseBody, parsePhoneParam, phoneSchema } from '../validation.js';
import { requireAccount } from './account-routes.js';

const sendBody = z.object({
  to: phoneSchema,
  text: z.string().min(1).max(65_536),
  /**
   * how the message is addressed to the account's devices: by LID with sender_pn (default), by phone
   * number with sender_lid, or by LID alone (no sender_pn: the account does not learn the number)
   */
  addressing: z.enum(['lid', 'pn', 'lid_only']).optional(),
});
const readBody = z.object({ messageIds: z.array(z.string().min(1).max(128)).min(1).max(1000) });

/** The phone number a jid in an inbox stands for (LIDs resolved), or the jid itself when unknown. */
export function phoneOf(ctx: SimContext, jid: string): string {
  const parsed = parseUserJid(jid);
  if (!parsed) return jid;
  return parsed.server === 's.whatsapp.net' ? parsed.user : (ctx.world.users.findByLid(parsed.user)?.phone ?? jid);
}

function describeReceived(ctx: SimContext, owner: string, m: InboxMessage) {
  return {
    id: m.id,
    from: m.fromPhone,
    fromDevice: m.fromDevice,
    to: m.ownCopy ? phoneOf(ctx, m.chat) : owner,
    text: m.text ?? null,
    type: m.type,
    timestamp: m.timestamp,
    read: m.readAt !== undefined,
  };
}

export const contactRoutes: AdminRoute[] = [
  {
    method: 'POST',
    path: '/admin/contacts/:phone/send',
    handle: async ({ ctx, params, body }) => {
      const phone = parsePhoneParam(params.phone);
      const { to, text, addressing } = parseBody(sendBody, body);
      if (to === phone) throw new AdminError(400, 'invalid_field', '"to" must be another number than the sender');
      const account = requireAccount(ctx, to);
      const contact = ctx.world.users.ensure(phone);
      return { body: { messageId: await sendTextFromPhone(ctx, contact, account, text, addressing ?? 'lid') } };
    },
  },
  {
    method: 'GET',
    path: '/admin/contacts/:phone/inbox',
    handle: ({ ctx, params }) => {
      const phone = parsePhoneParam(params.phone);
      const messages = ctx.world.inbox.list(phone).filter((m) => !m.ownCopy);
      return { body: { messages: messages.map((m) => describeReceived(ctx, phone, m)) } };
    },
  },
  {
    method: 'GET',
    path: '/admin/contacts/:phone/outbox',
    handle: ({ ctx, params }) => {
      const phone = parsePhoneParam(params.phone);
      const messages = ctx.world.outbox.list(phone).map((m) => ({ id: m.id, to: m.toPhone, text: m.text ?? null, status: m.status, timestamp: m.createdAt }));
      return { body: { messages } };
    },
  },
  {
    method: 'POST',
    path: '/admin/contacts/:phone/read',
    handle: ({ ctx, params, body }) => {
      const phone = parsePhoneParam(params.phone);
      const { messageIds } = parseBody(readBody, body);
      const user = ctx.world.users.find(phone);
      const result = user ? readMessages(ctx, user, messageIds) : { read: [], unknown: messageIds };
      if (result.read.length === 0) throw new AdminError(404, 'message_not_found', `${phone} received none of these messages`);
      return { body: result };
    },
  },
  {
    method: 'GET',
    path: '/admin/accounts/:phone/inbox',
    handle: ({ ctx, params }) => {
      const account = requireAccount(ctx, params.phone);
      return { body: { messages: ctx.world.inbox.list(account.phone).map((m) => describeReceived(ctx, account.phone, m)) } };
    },
  },
];
