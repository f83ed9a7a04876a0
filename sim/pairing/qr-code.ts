/** The fields of the pairing QR a companion shows: `ref,noisePub,identityPub,advSecret,platformId`. */
export interface PairingQr {
  ref: string;
  noisePub: Buffer;
  identityPub: Buffer;
  advSecret: Buffer;
  platformId: string;
}

const QR_PREFIX = 'https://wa.me/settings/linked_devices#';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Parses the QR string Baileys emits (with or without the wa.me prefix); returns a reason when invalid. */
export function parsePairingQr(qr: string): PairingQr | string {
  const body = qr.startsWith(QR_PREFIX) ? qr.slice(QR_PREFIX.length) : qr;
  const parts = body.split(',');
  if (parts.length !== 5) return 'a pairing QR has 5 comma-separated fields: ref,noiseKey,identityKey,advSecret,platform';
  const [ref, noise, identity, adv, platformId] = parts;
  if (!ref) return 'the QR ref is empty';
  const noisePub = key32(noise);
  const identityPub = key32(identity);
  const advSecret = key32(adv);
  if (!noisePub) return 'the QR noise key is not 32 bytes of base64';
  if (!identityPub) return 'the QR identity key is not 32 bytes of base64';
  if (!advSecret) return 'the QR ADV secret is not 32 bytes of base64';
  return { ref, noisePub, identityPub, advSecret, platformId };
}

function key32(value: string): Buffer | undefined {
  if (!BASE64.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64');
  return bytes.length === 32 ? bytes : undefined;
}
