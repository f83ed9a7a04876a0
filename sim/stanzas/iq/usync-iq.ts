import type { BinaryNode } from '../../binary/node-codec.js';
import { child, childNodes, children, contentBytes } from '../../binary/node-content.js';
import { lidJid, parseUserJid, pnJid } from '../../binary/jid.js';
import type { SimContext } from '../../context.js';
import type { User } from '../../world/users.js';
import type { IqRoute } from '../iq-route.js';

/**
 * `<iq xmlns="usync">`: who is on the network (`contact`), their LID (`lid`) and their devices
 * (`devices`: the phone, device 0, and every linked companion with its key index). Every phone number
 * is on the simulated network; unknown LIDs get an empty result.
 */
export const usyncIq: IqRoute = {
  xmlns: 'usync',
  type: 'get',
  child: 'usync',
  needsDevice: true,
  handle: ({ ctx, iq }) => {
    const usync = child(iq, 'usync');
    const protocols = new Set(childNodes(child(usync, 'query')).map((n) => n.tag));
    const results = children(child(usync, 'list'), 'user').map((request) => userResult(ctx, request, protocols));
    return [
      {
        tag: 'usync',
        attrs: { sid: usync?.attrs.sid ?? '', index: '0', last: 'true' },
        content: [{ tag: 'list', attrs: {}, content: results }],
      },
    ];
  },
};

function userResult(ctx: SimContext, request: BinaryNode, protocols: Set<string>): BinaryNode {
  const phoneQuery = contentBytes(child(request, 'contact'))?.toString('utf8');
  if (phoneQuery !== undefined) {
    const digits = phoneQuery.replace(/\D/g, '');
    const valid = /^\d{5,20}$/.test(digits);
    // a bare "is this number on WhatsApp?" creates no contact; asking for its LID or devices does
    const user = valid && (protocols.has('lid') || protocols.has('devices')) ? ctx.world.users.ensure(digits) : undefined;
    const content = user ? describe(ctx, user, protocols) : [{ tag: 'contact', attrs: { type: valid ? 'in' : 'out' } }];
    return { tag: 'user', attrs: { jid: pnJid(digits) }, content };
  }
  const jid = request.attrs.jid ?? '';
  const parsed = parseUserJid(jid);
  const user = parsed && ctx.world.users.resolve(parsed, true);
  if (!parsed || !user) {
    return { tag: 'user', attrs: { jid }, content: protocols.has('devices') ? [{ tag: 'devices', attrs: {} }] : [] };
  }
  return { tag: 'user', attrs: { jid: parsed.server === 'lid' ? lidJid(parsed.user) : pnJid(parsed.user) }, content: describe(ctx, user, protocols) };
}

function describe(ctx: SimContext, user: User, protocols: Set<string>): BinaryNode[] {
  const content: BinaryNode[] = [];
  if (protocols.has('devices')) {
    const companions = user.isAccount ? ctx.world.devices.listActive(user.phone) : [];
    const devices: BinaryNode[] = [
      { tag: 'device', attrs: { id: '0' } },
      ...companions.map((d): BinaryNode => ({ tag: 'device', attrs: { id: String(d.deviceId), 'key-index': String(d.keyIndex) } })),
    ];
    content.push({ tag: 'devices', attrs: {}, content: [{ tag: 'device-list', attrs: {}, content: devices }] });
  }
  if (protocols.has('lid')) content.push({ tag: 'lid', attrs: { val: lidJid(user.lid) } });
  if (protocols.has('contact')) content.push({ tag: 'contact', attrs: { type: 'in' } });
  return content;
}
