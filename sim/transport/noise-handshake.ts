import { createHash, hkdfSync } from 'node:crypto';
import { aesDecryptGCM, aesEncryptGCM, proto } from 'baileys';
import { NOISE_WA_HEADER } from './frame-codec.js';
import { counterIv, NoiseTransport } from './noise-transport.js';
import { X25519Key } from './x25519.js';

/** 32 bytes long, so it is used as the initial hash and chaining key as is (not hashed). */
const NOISE_MODE = Buffer.from('Noise_XX_25519_AESGCM_SHA256\0\0\0\0', 'latin1');

export class HandshakeError extends Error {}

export interface ClientFinish {
  /** the client's static Noise key (`creds.noiseKey.public`), which identifies the companion */
  clientStatic: Buffer;
  /** decoded `ClientPayload` */
  payload: proto.ClientPayload;
}

/**
 * Noise XX, responder side, as WhatsApp runs it (`Noise_XX_25519_AESGCM_SHA256`, prologue `WA 06 03`).
 * One handshake counter serves both directions; each mixKey resets it.
 */
export class NoiseHandshake {
  private hash: Buffer = Buffer.from(NOISE_MODE);
  private chainingKey: Buffer = Buffer.from(NOISE_MODE);
  private key: Buffer = Buffer.from(NOISE_MODE);
  private counter = 0;
  private readonly ephemeral = X25519Key.generate();
  private clientEphemeral: Buffer | undefined;

  constructor(
    private readonly serverStatic: X25519Key,
    private readonly certChain: Uint8Array,
  ) {
    this.mixHash(NOISE_WA_HEADER);
  }

  /** Consumes the client's first frame (`clientHello`) and returns the server hello frame payload. */
  respondToHello(frame: Uint8Array): Buffer {
    const message = decodeHandshake(frame);
    const clientEphemeral = message.clientHello?.ephemeral;
    if (!clientEphemeral || clientEphemeral.length !== 32) throw new HandshakeError('client hello without a 32-byte ephemeral key');
    this.clientEphemeral = Buffer.from(clientEphemeral);
    this.mixHash(this.clientEphemeral);
    this.mixHash(this.ephemeral.publicKey);
    this.mixKey(this.agree(this.ephemeral, this.clientEphemeral));
    const encryptedStatic = this.encrypt(this.serverStatic.publicKey);
    this.mixKey(this.agree(this.serverStatic, this.clientEphemeral));
    const encryptedCert = this.encrypt(this.certChain);
    return Buffer.from(
      proto.HandshakeMessage.encode({
        serverHello: { ephemeral: this.ephemeral.publicKey, static: encryptedStatic, payload: encryptedCert },
      }).finish(),
    );
  }

  /** Consumes the client's second frame (`clientFinish`). */
  readFinish(frame: Uint8Array): ClientFinish {
    if (!this.clientEphemeral) throw new HandshakeError('client finish before client hello');
    const finish = decodeHandshake(frame).clientFinish;
    if (!finish?.static || !finish.payload) throw new HandshakeError('client finish without static key or payload');
    const clientStatic = this.decrypt(finish.static);
    if (clientStatic.length !== 32) throw new HandshakeError('client static key is not 32 bytes');
    this.mixKey(this.agree(this.ephemeral, clientStatic));
    const payloadBytes = this.decrypt(finish.payload);
    let payload: proto.ClientPayload;
    try {
      payload = proto.ClientPayload.decode(payloadBytes);
    } catch (err) {
      throw new HandshakeError(`undecodable ClientPayload: ${(err as Error).message}`);
    }
    return { clientStatic, payload };
  }

  /** The transport ciphers: the client writes with the first key, so the server reads with it. */
  split(): NoiseTransport {
    const [clientWrite, clientRead] = this.hkdf(Buffer.alloc(0));
    return new NoiseTransport(clientRead, clientWrite);
  }

  private agree(own: X25519Key, peer: Uint8Array): Buffer {
    try {
      return own.agree(peer);
    } catch (err) {
      throw new HandshakeError(`key agreement failed: ${(err as Error).message}`);
    }
  }

  private mixHash(data: Uint8Array): void {
    this.hash = createHash('sha256').update(this.hash).update(data).digest();
  }

  private mixKey(input: Uint8Array): void {
    const [chainingKey, key] = this.hkdf(input);
    this.chainingKey = chainingKey;
    this.key = key;
    this.counter = 0;
  }

  private hkdf(input: Uint8Array): [Buffer, Buffer] {
    const out = Buffer.from(hkdfSync('sha256', input, this.chainingKey, Buffer.alloc(0), 64));
    return [out.subarray(0, 32), out.subarray(32)];
  }

  private encrypt(plaintext: Uint8Array): Buffer {
    const ciphertext = aesEncryptGCM(plaintext, this.key, counterIv(this.counter++), this.hash);
    this.mixHash(ciphertext);
    return ciphertext;
  }

  private decrypt(ciphertext: Uint8Array): Buffer {
    let plaintext: Buffer;
    try {
      plaintext = aesDecryptGCM(ciphertext, this.key, counterIv(this.counter++), this.hash);
    } catch {
      throw new HandshakeError('handshake decryption failed');
    }
    this.mixHash(ciphertext);
    return plaintext;
  }
}

function decodeHandshake(frame: Uint8Array): proto.HandshakeMessage {
  try {
    return proto.HandshakeMessage.decode(frame);
  } catch (err) {
    throw new HandshakeError(`undecodable handshake message: ${(err as Error).message}`);
  }
}
