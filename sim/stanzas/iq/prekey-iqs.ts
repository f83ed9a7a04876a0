import type { BinaryNode } from '../../binary/node-codec.js';
import { child, childBytes, children, childUint } from '../../binary/node-content.js';
import type { PublicPreKey } from '../../world/device-prekeys.js';
import { IqError } from '../iq-reply.js';
import type { IqRoute } from '../iq-route.js';

/** A companion's prekeys (`xmlns="encrypt"`): how many are left, uploads, signed-prekey rotation, digest. */
export const prekeyIqs: IqRoute[] = [
  {
    xmlns: 'encrypt',
    type: 'get',
    child: 'count',
    needsDevice: true,
    handle: ({ ctx, device }) => [
      { tag: 'count', attrs: { value: String(ctx.world.devicePreKeys.count(device.phone, device.deviceId)) } },
    ],
  },
  {
    xmlns: 'encrypt',
    type: 'set',
    child: 'registration',
    needsDevice: true,
    handle: ({ ctx, iq, device }) => {
      const identity = childBytes(iq, 'identity');
      const registered = ctx.world.devices.find(device.phone, device.deviceId);
      if (!registered || !identity?.equals(registered.identityPub)) {
        throw new IqError(406, 'identity-mismatch');
      }
      const keys = children(child(iq, 'list'), 'key').map(parsePreKey);
      if (keys.some((k) => !k)) throw new IqError(400, 'bad-request');
      const skey = parseSignedPreKey(child(iq, 'skey'));
      ctx.world.transaction(() => {
        ctx.world.devicePreKeys.add(device.phone, device.deviceId, keys as PublicPreKey[]);
        if (skey) ctx.world.devices.updateSignedPreKey(device.phone, device.deviceId, skey);
      });
      ctx.stats.preKeyUploads++;
    },
  },
  {
    xmlns: 'encrypt',
    type: 'set',
    child: 'rotate',
    needsDevice: true,
    handle: ({ ctx, iq, device }) => {
      const skey = parseSignedPreKey(child(child(iq, 'rotate'), 'skey'));
      if (!skey) throw new IqError(400, 'bad-request');
      ctx.world.devices.updateSignedPreKey(device.phone, device.deviceId, skey);
    },
  },
  {
    xmlns: 'encrypt',
    type: 'get',
    child: 'digest',
    needsDevice: true,
    // Baileys only checks that a <digest> comes back
    handle: () => [{ tag: 'digest', attrs: {} }],
  },
];

function parsePreKey(node: BinaryNode): PublicPreKey | undefined {
  const keyId = childUint(node, 'id', 3);
  const publicKey = childBytes(node, 'value');
  if (keyId === undefined || publicKey?.length !== 32) return undefined;
  return { keyId, publicKey };
}

function parseSignedPreKey(node: BinaryNode | undefined): { keyId: number; publicKey: Buffer; signature: Buffer } | undefined {
  const key = node && parsePreKey(node);
  const signature = childBytes(node, 'signature');
  if (!key || signature?.length !== 64) return undefined;
  return { ...key, signature };
}
