// whatsapp-rust-bridge is baileys 7's own (WASM) crypto dependency, installed with it; its XEdDSA is ~30x
// faster than libsignal's pure-JS curve25519, which matters when thousands of devices pair.
import { calculateSignature, verifySignature } from 'whatsapp-rust-bridge';

const withType = (publicKey: Uint8Array): Buffer => Buffer.concat([Buffer.from([5]), publicKey]);

/**
 * XEdDSA signatures over Curve25519 keys (32-byte raw public keys), compatible with libsignal's.
 *
 * Do not use Baileys' `Curve.verify` to check anything: in baileys 7.0.0-rc14 it returns true for every
 * well-formed signature (it ignores libsignal's boolean result and only catches exceptions).
 */
export function xeddsaSign(privateKey: Buffer, message: Uint8Array): Buffer {
  return Buffer.from(calculateSignature(privateKey, message));
}

export function xeddsaVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    return verifySignature(withType(publicKey), message, signature) === true;
  } catch {
    return false;
  }
}
