import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { KeyPair } from '../world/key-pair.js';

const PUBLIC_DER_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const PRIVATE_DER_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/**
 * An X25519 key held as a node KeyObject, so key agreement skips re-importing the private key
 * (libsignal's `calculateAgreement` does that on every call and costs ~5x more). Used on the
 * handshake path, which runs for every connection.
 */
export class X25519Key {
  private constructor(
    readonly publicKey: Buffer,
    private readonly privateKey: KeyObject,
  ) {}

  static generate(): X25519Key {
    const { publicKey, privateKey } = generateKeyPairSync('x25519');
    return new X25519Key(publicKey.export({ format: 'der', type: 'spki' }).subarray(PUBLIC_DER_PREFIX.length), privateKey);
  }

  static from(pair: KeyPair): X25519Key {
    const privateKey = createPrivateKey({ key: Buffer.concat([PRIVATE_DER_PREFIX, pair.private]), format: 'der', type: 'pkcs8' });
    return new X25519Key(pair.public, privateKey);
  }

  /** The shared secret with a 32-byte raw public key; throws on a malformed key. */
  agree(peerPublic: Uint8Array): Buffer {
    const publicKey = createPublicKey({ key: Buffer.concat([PUBLIC_DER_PREFIX, peerPublic]), format: 'der', type: 'spki' });
    return diffieHellman({ privateKey: this.privateKey, publicKey });
  }
}
