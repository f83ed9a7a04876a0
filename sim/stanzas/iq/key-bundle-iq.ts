import type { BinaryNode } from '../../binary/node-codec.js';
import { child, children, uintBytes } from '../../binary/node-content.js';
import { parseUserJid } from '../../binary/jid.js';
import type { SimContext } from '../../context.js';
import type { PreKeyBundle } from '../../signal/phone-cipher.js';
import type { IqRoute } from '../iq-route.js';

/**
 * `<iq xmlns="encrypt" type="get"><key><user jid/>…</key></iq>`: prekey bundles for starting Signal
 * sessions — of phones (device 0; every phone number is on the simulated network) and of linked
 * companions. Devices that cannot be served are left out: an `<error>` would fail the whole send.
 */
export const keyBundleIq: IqRoute = {
  xmlns: 'encrypt',
  type: 'get',
  child: 'key',
  needsDevice: true,
  handle: ({ ctx, iq }) => {
    const users: BinaryNode[] = [];
    for (const request of children(child(iq, 'key'), 'user')) {
      const jid = request.attrs.jid;
      const bundle = bundleFor(ctx, jid);
      if (bundle) users.push(bundleNode(jid, bundle));
      else ctx.logger.debug({ jid }, 'no prekey bundle for this jid');
    }
    return [{ tag: 'list', attrs: {}, content: users }];
  },
};

function bundleFor(ctx: SimContext, jid: string | undefined): PreKeyBundle | undefined {
  const parsed = parseUserJid(jid);
  const user = parsed && ctx.world.users.resolve(parsed, true);
  if (!parsed || !user) return undefined;
  if (parsed.device === 0) {
    return {
      registrationId: user.registrationId,
      identityKey: user.identity.public,
      signedPreKey: {
        keyId: user.signedPreKey.keyId,
        publicKey: user.signedPreKey.keyPair.public,
        signature: user.signedPreKey.signature,
      },
      preKey: ctx.world.phonePreKeys.handOut(user.phone),
    };
  }
  const device = ctx.world.devices.find(user.phone, parsed.device);
  if (!device || device.removed) return undefined;
  return {
    registrationId: device.registrationId,
    identityKey: device.identityPub,
    signedPreKey: device.signedPreKey,
    preKey: ctx.world.devicePreKeys.take(user.phone, parsed.device),
  };
}

function keyNode(tag: 'key' | 'skey', key: { keyId: number; publicKey: Buffer; signature?: Buffer }): BinaryNode {
  const content: BinaryNode[] = [
    { tag: 'id', attrs: {}, content: uintBytes(key.keyId, 3) },
    { tag: 'value', attrs: {}, content: key.publicKey },
  ];
  if (key.signature) content.push({ tag: 'signature', attrs: {}, content: key.signature });
  return { tag, attrs: {}, content };
}

function bundleNode(jid: string, bundle: PreKeyBundle): BinaryNode {
  const content: BinaryNode[] = [
    { tag: 'registration', attrs: {}, content: uintBytes(bundle.registrationId, 4) },
    { tag: 'type', attrs: {}, content: Buffer.from([5]) },
    { tag: 'identity', attrs: {}, content: bundle.identityKey },
    keyNode('skey', bundle.signedPreKey),
  ];
  if (bundle.preKey) content.push(keyNode('key', bundle.preKey));
  return { tag: 'user', attrs: { jid }, content };
}
