import { proto } from 'baileys';

/** What a companion sends about itself in its registration ClientPayload (`devicePairingData`). */
export interface RegistrationRequest {
  noisePub: Buffer;
  identityPub: Buffer;
  registrationId: number;
  signedPreKey: { keyId: number; publicKey: Buffer; signature: Buffer };
  /** the companion's platform from its DeviceProps, e.g. "CHROME" */
  platform: string | undefined;
  pushName: string | undefined;
}

export class InvalidRegistrationError extends Error {}

export function parseRegistration(payload: proto.ClientPayload, noisePub: Buffer): RegistrationRequest {
  const data = payload.devicePairingData;
  if (!data) throw new InvalidRegistrationError('registration payload without devicePairingData');
  const field = (value: Uint8Array | null | undefined, name: string, length: number): Buffer => {
    if (!value || value.length !== length) throw new InvalidRegistrationError(`devicePairingData.${name} must be ${length} bytes`);
    return Buffer.from(value);
  };
  const keyType = field(data.eKeytype, 'eKeytype', 1);
  if (keyType[0] !== 5) throw new InvalidRegistrationError('devicePairingData.eKeytype must be 5');
  return {
    noisePub,
    identityPub: field(data.eIdent, 'eIdent', 32),
    registrationId: field(data.eRegid, 'eRegid', 4).readUInt32BE(),
    signedPreKey: {
      keyId: field(data.eSkeyId, 'eSkeyId', 3).readUIntBE(0, 3),
      publicKey: field(data.eSkeyVal, 'eSkeyVal', 32),
      signature: field(data.eSkeySig, 'eSkeySig', 64),
    },
    platform: companionPlatform(data.deviceProps),
    pushName: payload.pushName ?? undefined,
  };
}

function companionPlatform(deviceProps: Uint8Array | null | undefined): string | undefined {
  if (!deviceProps?.length) return undefined;
  try {
    const props = proto.DeviceProps.decode(deviceProps);
    const type = props.platformType;
    return type === null || type === undefined ? undefined : proto.DeviceProps.PlatformType[type];
  } catch {
    return undefined;
  }
}
