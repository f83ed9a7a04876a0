import { createHmac } from 'node:crypto';
import { proto } from 'baileys';
import { xeddsaSign, xeddsaVerify } from '../signal/xeddsa.js';
import type { KeyPair } from '../world/key-pair.js';

const ACCOUNT_SIGNATURE_PREFIX = Buffer.from([6, 0]);
const DEVICE_SIGNATURE_PREFIX = Buffer.from([6, 1]);

export interface DeviceIdentityInput {
  /** the account's ADV key: its phone's identity key pair */
  accountKey: KeyPair;
  advRawId: number;
  keyIndex: number;
  companionIdentityPub: Buffer;
  /** the companion's ADV secret (from the QR, or derived in the pairing-code exchange) */
  advSecret: Buffer;
  timestamp: number;
}

export interface DeviceIdentity {
  /** encoded ADVSignedDeviceIdentityHMAC, the content of `pair-success > device-identity` */
  container: Buffer;
  /** encoded ADVDeviceIdentity the phone signed */
  details: Buffer;
}

/** The phone's side of linking: sign the new device's identity with the account key, MAC it with the ADV secret. */
export function buildDeviceIdentity(input: DeviceIdentityInput): DeviceIdentity {
  const details = Buffer.from(
    proto.ADVDeviceIdentity.encode({
      rawId: input.advRawId,
      timestamp: input.timestamp,
      keyIndex: input.keyIndex,
      accountType: proto.ADVEncryptionType.E2EE,
      deviceType: proto.ADVEncryptionType.E2EE,
    }).finish(),
  );
  const accountSignature = xeddsaSign(
    input.accountKey.private,
    Buffer.concat([ACCOUNT_SIGNATURE_PREFIX, details, input.companionIdentityPub]),
  );
  const signed = Buffer.from(
    proto.ADVSignedDeviceIdentity.encode({ details, accountSignatureKey: input.accountKey.public, accountSignature }).finish(),
  );
  const hmac = createHmac('sha256', input.advSecret).update(signed).digest();
  const container = Buffer.from(
    proto.ADVSignedDeviceIdentityHMAC.encode({ details: signed, hmac, accountType: proto.ADVEncryptionType.E2EE }).finish(),
  );
  return { container, details };
}

export class DeviceSignatureError extends Error {}

/**
 * Checks the companion's `pair-device-sign` answer: the identity it signed must be the one the phone
 * issued, and its device signature must verify with the companion's identity key. Returns the complete
 * ADVSignedDeviceIdentity (with the account signature key) to store for the device.
 */
export function verifyDeviceSignature(
  signedIdentity: Uint8Array,
  expected: { details: Buffer; companionIdentityPub: Buffer; accountKeyPub: Buffer },
): Buffer {
  let identity: proto.ADVSignedDeviceIdentity;
  try {
    identity = proto.ADVSignedDeviceIdentity.decode(signedIdentity);
  } catch {
    throw new DeviceSignatureError('pair-device-sign holds no ADVSignedDeviceIdentity');
  }
  if (!identity.details || !Buffer.from(identity.details).equals(expected.details)) {
    throw new DeviceSignatureError('pair-device-sign signs different device details');
  }
  const deviceSignature = identity.deviceSignature;
  const message = Buffer.concat([DEVICE_SIGNATURE_PREFIX, expected.details, expected.companionIdentityPub, expected.accountKeyPub]);
  if (!deviceSignature?.length || !xeddsaVerify(expected.companionIdentityPub, message, deviceSignature)) {
    throw new DeviceSignatureError('the device signature does not verify with the companion identity key');
  }
  return Buffer.from(
    proto.ADVSignedDeviceIdentity.encode({
      details: expected.details,
      accountSignatureKey: expected.accountKeyPub,
      accountSignature: identity.accountSignature,
      deviceSignature,
    }).finish(),
  );
}
