import type { BinaryNode } from '../../binary/node-codec.js';
import type { IqRoute } from '../iq-route.js';

const PRIVACY_DEFAULTS: Record<string, string> = {
  readreceipts: 'all',
  last: 'all',
  online: 'all',
  profile: 'all',
  status: 'all',
  groupadd: 'all',
  calladd: 'all',
  messages: 'all',
};

const empty = (): void => undefined;

/** Iqs a client sends at connect and while open that need only an acknowledgement or a fixed answer. */
export const accountIqs: IqRoute[] = [
  // keepalive; also sent by companions that wait for a QR scan
  { xmlns: 'w:p', type: 'get', child: 'ping', needsDevice: false, handle: empty },
  { xmlns: 'passive', type: 'set', child: '*', needsDevice: true, handle: empty },
  {
    xmlns: 'abt',
    type: 'get',
    child: 'props',
    needsDevice: true,
    handle: () => [{ tag: 'props', attrs: { protocol: '1', hash: 'sim-props-1' } }],
  },
  { xmlns: 'blocklist', type: 'get', child: '', needsDevice: true, handle: () => [{ tag: 'list', attrs: {} }] },
  { xmlns: 'blocklist', type: 'set', child: '*', needsDevice: true, handle: empty },
  {
    xmlns: 'privacy',
    type: 'get',
    child: 'privacy',
    needsDevice: true,
    handle: () => [
      {
        tag: 'privacy',
        attrs: {},
        content: Object.entries(PRIVACY_DEFAULTS).map(([name, value]): BinaryNode => ({ tag: 'category', attrs: { name, value } })),
      },
    ],
  },
  { xmlns: 'privacy', type: 'set', child: '*', needsDevice: true, handle: empty },
  { xmlns: 'urn:xmpp:whatsapp:dirty', type: 'set', child: '*', needsDevice: true, handle: empty },
  { xmlns: 'w:stats', type: '', child: '*', needsDevice: true, handle: empty },
  { xmlns: 'w:stats', type: 'set', child: '*', needsDevice: true, handle: empty },
];
