import { createCipheriv, createDecipheriv, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { aesDecryptGCM, Curve, hkdf } from 'baileys';

/**
 * The phone's half of WhatsApp's pairing-code exchange (the reverse of Baileys' `requestPairingCode` and
 * its `link_code_companion_reg` notification handler):
 *   companion → `salt(32) iv(16) AES-CTR(companionEphemeralPub)` keyed by PBKDF2(code, salt)
 *   phone     → the same wrapping of its own ephemeral key, plus its identity key
 *   companion → `salt(32) iv(12) AES-GCM(companionIdentity || primaryIdentity || random)` keyed by
 *               HKDF(DH(ephemerals), salt, "link_code_pairing_key_bundle_encryption_key")
 *   both      → advSecret = HKDF(DH(ephemerals) || DH(identities) || random, info "adv_secret")
 */

const pbkdf2Async = promisify(pbkdf2);
const PBKDF2_ITERATIONS = 2 << 16;
const WRAPPED_KEY_LENGTH = 32 + 16 + 32;

export class LinkCodeError extends Error {}

function codeKey(code: string, salt: Buffer): Promise<Buffer> {
  return pbkdf2Async(Buffer.from(code, 'utf8'), salt, PBKDF2_ITERATIONS, 32, 'sha256');
}

/** Recovers the companion's ephemeral public key with the code the user typed on the phone. */
export async function unwrapEphemeral(wrapped: Buffer, code: string): Promise<Buffer> {
  if (wrapped.length !== WRAPPED_KEY_LENGTH) throw new LinkCodeError(`wrapped ephemeral key must be ${WRAPPED_KEY_LENGTH} bytes`);
  const key = await codeKey(code, wrapped.subarray(0, 32));
  const decipher = createDecipheriv('aes-256-ctr', key, wrapped.subarray(32, 48));
  return Buffer.concat([decipher.update(wrapped.subarray(48)), decipher.final()]);
}

export async function wrapEphemeral(publicKey: Buffer, code: string): Promise<Buffer> {
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-ctr', await codeKey(code, salt), iv);
  return Buffer.concat([salt, iv, cipher.update(publicKey), cipher.final()]);
}

export interface KeyBundle {
  companionIdentityPub: Buffer;
  primaryIdentityPub: Buffer;
  random: Buffer;
}

/** Opens the companion's key bundle; throws LinkCodeError when the codes on both sides differed. */
export function openKeyBundle(wrapped: Buffer, ephemeralSharedKey: Buffer): KeyBundle {
  if (wrapped.length < 32 + 12 + 16) throw new LinkCodeError('wrapped key bundle is too short');
  const salt = wrapped.subarray(0, 32);
  const key = hkdf(ephemeralSharedKey, 32, { salt, info: 'link_code_pairing_key_bundle_encryption_key' });
  let plaintext: Buffer;
  try {
    plaintext = aesDecryptGCM(wrapped.subarray(44), key, wrapped.subarray(32, 44), Buffer.alloc(0));
  } catch {
    throw new LinkCodeError('the key bundle does not decrypt: the code entered on the phone is not the one the companion showed');
  }
  if (plaintext.length !== 96) throw new LinkCodeError('the key bundle is not 96 bytes');
  return { companionIdentityPub: plaintext.subarray(0, 32), primaryIdentityPub: plaintext.subarray(32, 64), random: plaintext.subarray(64) };
}

export function deriveAdvSecret(ephemeralSharedKey: Buffer, identitySharedKey: Buffer, random: Buffer): Buffer {
  return Buffer.from(hkdf(Buffer.concat([ephemeralSharedKey, identitySharedKey, random]), 32, { info: 'adv_secret' }));
}

export function sharedKey(privateKey: Buffer, publicKey: Buffer): Buffer {
  try {
    return Curve.sharedKey(privateKey, publicKey);
  } catch (err) {
    throw new LinkCodeError(`key agreement failed: ${(err as Error).message}`);
  }
}

