import { configureSuccessfulPairing, initAuthCreds, proto, type BinaryNode } from 'baileys';
import { describe, expect, it } from 'vitest';
import { contentBytes, child } from '../binary/node-content.js';
import { generateKeyPair } from '../world/key-pair.js';
import { buildDeviceIdentity, DeviceSignatureError, verifyDeviceSignature } from './device-identity.js';

/** The phone's side of linking, checked by Baileys' own `configureSuccessfulPairing`. */
function pair(advSecret?: Buffer) {
  const creds = initAuthCreds();
  const account = generateKeyPair();
  const identity = buildDeviceIdentity({
    accountKey: account,
    advRawId: 1234,
    keyIndex: 2,
    companionIdentityPub: Buffer.from(creds.signedIdentityKey.public),
    advSecret: advSecret ?? Buffer.from(creds.advSecretKey, 'base64'),
    timestamp: 1_700_000_000,
  });
  const stanza: BinaryNode = {
    tag: 'iq',
    attrs: { id: 'p1', type: 'set' },
    content: [
      {
        tag: 'pair-success',
        attrs: {},
        content: [
          { tag: 'device-identity', attrs: {}, content: identity.container },
          { tag: 'device', attrs: { jid: '15550001111:2@s.whatsapp.net', lid: '99:2@lid' } },
        ],
      },
    ],
  };
  return { creds, account, identity, stanza };
}

function signedFromReply(reply: BinaryNode): Buffer {
  return contentBytes(child(child(reply, 'pair-device-sign'), 'device-identity'))!;
}

describe('ADV device identity', () => {
  it('is accepted by Baileys, and its device signature verifies', () => {
    const { creds, account, identity, stanza } = pair();
    const { reply, creds: update } = configureSuccessfulPairing(stanza, creds);
    expect(update.me?.id).toBe('15550001111:2@s.whatsapp.net');
    expect(child(child(reply, 'pair-device-sign'), 'device-identity')?.attrs['key-index']).toBe('2');
    const stored = verifyDeviceSignature(signedFromReply(reply), {
      details: identity.details,
      companionIdentityPub: Buffer.from(creds.signedIdentityKey.public),
      accountKeyPub: account.public,
    });
    const decoded = proto.ADVSignedDeviceIdentity.decode(stored);
    expect(Buffer.from(decoded.accountSignatureKey!).equals(account.public)).toBe(true);
    expect(decoded.deviceSignature).toHaveLength(64);
  });

  it('is refused by Baileys when MAC-ed with another ADV secret', () => {
    const { creds, stanza } = pair(Buffer.alloc(32, 9));
    expect(() => configureSuccessfulPairing(stanza, creds)).toThrow(/Invalid account signature/);
  });

  it('rejects a tampered device signature', () => {
    const { creds, account, identity, stanza } = pair();
    const signed = proto.ADVSignedDeviceIdentity.decode(signedFromReply(configureSuccessfulPairing(stanza, creds).reply));
    signed.deviceSignature![5] ^= 1;
    const tampered = proto.ADVSignedDeviceIdentity.encode(signed).finish();
    const expected = { details: identity.details, companionIdentityPub: Buffer.from(creds.signedIdentityKey.public), accountKeyPub: account.public };
    expect(() => verifyDeviceSignature(tampered, expected)).toThrow(DeviceSignatureError);
    expect(() => verifyDeviceSignature(tampered, { ...expected, details: Buffer.from('other') })).toThrow(/different device details/);
  });
});
