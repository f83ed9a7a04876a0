import { createPrivateKey, createPublicKey } from 'node:crypto';

const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX_BYTES = 12;

/**
 * The X25519 public key (32 bytes) of a 32-byte private key, as libsignal/Baileys compute it.
 * Imported as a JWK (≈70 µs a key: OpenSSL takes the raw scalar); the PKCS#8 route costs ≈1 ms
 * in OpenSSL 3's decoders and is only the fallback. Node reads only `d` of a private JWK, but
 * insists `x` is a string.
 */
export function x25519PublicKey(privateKey: Uint8Array): Buffer {
  if (privateKey.length !== 32) throw new RangeError(`an X25519 private key has 32 bytes, got ${privateKey.length}`);
  const d = Buffer.from(privateKey.buffer, privateKey.byteOffset, privateKey.byteLength).toString('base64url');
  try {
    const jwk = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d, x: '' }, format: 'jwk' }).export({ format: 'jwk' });
    if (jwk.x) return Buffer.from(jwk.x, 'base64url');
  } catch {
    // fall through to the PKCS#8 route
  }
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_X25519_PREFIX, privateKey]), format: 'der', type: 'pkcs8' });
  return Buffer.from(createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX_BYTES));
}
