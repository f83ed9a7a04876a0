import { Curve } from 'baileys';
import { xeddsaSign } from '../signal/xeddsa.js';

/** A Curve25519 key pair with 32-byte raw keys (no 0x05 type prefix). */
export interface KeyPair {
  public: Buffer;
  private: Buffer;
}

export function generateKeyPair(): KeyPair {
  const pair = Curve.generateKeyPair();
  return { public: Buffer.from(pair.public), private: Buffer.from(pair.private) };
}

/** Signal's "signed prekey": a key pair whose 0x05-prefixed public key is signed by an identity key. */
export interface SignedPreKey {
  keyId: number;
  keyPair: KeyPair;
  signature: Buffer;
}

export function generateSignedPreKey(identity: KeyPair, keyId: number): SignedPreKey {
  const keyPair = generateKeyPair();
  const signature = xeddsaSign(identity.private, Buffer.concat([Buffer.from([5]), keyPair.public]));
  return { keyId, keyPair, signature };
}
