import { aesDecryptGCM, aesEncryptGCM } from 'baileys';

/** Noise's AES-GCM nonce: 8 zero bytes and a 32-bit big-endian counter. */
export function counterIv(counter: number): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(counter >>> 0, 8);
  return iv;
}

const EMPTY = Buffer.alloc(0);

/** The post-handshake cipher pair of one connection: one key and one counter per direction. */
export class NoiseTransport {
  private writeCounter = 0;
  private readCounter = 0;

  constructor(
    private readonly encryptKey: Buffer,
    private readonly decryptKey: Buffer,
  ) {}

  encrypt(plaintext: Uint8Array): Buffer {
    return aesEncryptGCM(plaintext, this.encryptKey, counterIv(this.writeCounter++), EMPTY);
  }

  /** Throws when the frame does not authenticate. */
  decrypt(ciphertext: Uint8Array): Buffer {
    return aesDecryptGCM(ciphertext, this.decryptKey, counterIv(this.readCounter++), EMPTY);
  }
}
