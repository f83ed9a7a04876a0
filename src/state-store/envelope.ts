import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { StateDecodeError } from './decode-error.js';
import { KEY_ID_BYTES, type Keyring, type StateKey } from './keyring.js';
import type { StateRef } from './port.js';

/**
 * The envelope around a state payload (v1):
 *
 * ```
 * 0  "KSTE" magic          4  version (1)          5  compression (0 none, 1 deflate, 2 brotli)
 * 6  key id (4 bytes)      10 nonce (12 bytes)     22 AES-256-GCM ciphertext …  last 16: GCM tag
 * ```
 *
 * The associated data is the 22-byte header plus the session's `workspaceId/sessionId`, so a
 * header edit, a truncation, a wrong key or an envelope copied onto another session all fail
 * authentication instead of decrypting to garbage.
 */
export const ENVELOPE_MAGIC = Buffer.from('KSTE', 'ascii');
export const ENVELOPE_V1 = 1;
const HEADER_BYTES = 22;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Upper bound of a decompressed payload: a decompression bomb fails instead of eating memory. */
const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

export enum Compression {
  None = 0,
  Deflate = 1,
  Brotli = 2,
}

export interface EnvelopeHeader {
  version: number;
  compression: Compression;
  keyId: Buffer;
}

const brotliCompress = promisify(zlib.brotliCompress);
const brotliDecompress = promisify(zlib.brotliDecompress);
const deflateRaw = promisify(zlib.deflateRaw);
const inflateRaw = promisify(zlib.inflateRaw);

export interface SealOptions {
  compression?: Compression;
  /** Tests only: a fixed nonce for reproducible vectors. */
  nonce?: Buffer;
}

export async function sealEnvelope(payload: Buffer, ref: StateRef, key: StateKey, opts: SealOptions = {}): Promise<Buffer> {
  const compression = opts.compression ?? Compression.Brotli;
  const body = await compress(payload, compression);
  const nonce = opts.nonce ?? randomBytes(NONCE_BYTES);
  const header = Buffer.alloc(HEADER_BYTES);
  ENVELOPE_MAGIC.copy(header, 0);
  header[4] = ENVELOPE_V1;
  header[5] = compression;
  key.id.copy(header, 6);
  nonce.copy(header, 10);
  const cipher = createCipheriv('aes-256-gcm', key.key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(header, ref));
  const ct = Buffer.concat([cipher.update(body), cipher.final()]);
  return Buffer.concat([header, ct, cipher.getAuthTag()]);
}

/** Reads the clear header without decrypting (the rotation checks which key an envelope uses). */
export function readEnvelopeHeader(envelope: Buffer): EnvelopeHeader {
  if (envelope.length < 6 || !envelope.subarray(0, 4).equals(ENVELOPE_MAGIC)) {
    throw new StateDecodeError('not a kirim state envelope (bad magic)');
  }
  const version = envelope[4];
  if (version !== ENVELOPE_V1) {
    throw new StateDecodeError(`state envelope version ${version} is not supported by this kirim (newer than it?)`);
  }
  if (envelope.length < HEADER_BYTES + TAG_BYTES) throw new StateDecodeError(`state envelope truncated (${envelope.length} bytes)`);
  const compression = envelope[5];
  if (!(compression in Compression)) throw new StateDecodeError(`state envelope has unknown compression ${compression}`);
  return { version, compression, keyId: Buffer.from(envelope.subarray(6, 6 + KEY_ID_BYTES)) };
}

export async function openEnvelope(envelope: Buffer, ref: StateRef, keyring: Keyring): Promise<Buffer> {
  const h = readEnvelopeHeader(envelope);
  const keys = keyring.find(h.keyId);
  if (keys.length === 0) {
    throw new StateDecodeError(
      `state of session ${ref.sessionId} is encrypted with key ${h.keyId.toString('hex')}, which is not configured (KIRIM_STATE_KEY / KIRIM_STATE_KEY_PREVIOUS)`,
    );
  }
  const header = envelope.subarray(0, HEADER_BYTES);
  const nonce = envelope.subarray(10, 10 + NONCE_BYTES);
  const ct = envelope.subarray(HEADER_BYTES, envelope.length - TAG_BYTES);
  const tag = envelope.subarray(envelope.length - TAG_BYTES);
  for (const k of keys) {
    const body = decrypt(k, header, nonce, ct, tag, ref);
    if (body) return decompress(body, h.compression);
  }
  throw new StateDecodeError(
    `state of session ${ref.sessionId} failed authentication: tampered, truncated, wrong key, or copied from another session`,
  );
}

function decrypt(k: StateKey, header: Buffer, nonce: Buffer, ct: Buffer, tag: Buffer, ref: StateRef): Buffer | null {
  try {
    const d = createDecipheriv('aes-256-gcm', k.key, nonce, { authTagLength: TAG_BYTES });
    d.setAAD(associatedData(header, ref));
    d.setAuthTag(tag);
    return Buffer.concat([d.update(ct), d.final()]);
  } catch {
    return null;
  }
}

function associatedData(header: Buffer, ref: StateRef): Buffer {
  const ws = Buffer.from(ref.workspaceId, 'utf8');
  const sid = Buffer.from(ref.sessionId, 'utf8');
  const lens = Buffer.alloc(4);
  lens.writeUInt16BE(ws.length, 0);
  lens.writeUInt16BE(sid.length, 2);
  return Buffer.concat([header, lens, ws, sid]);
}

async function compress(payload: Buffer, c: Compression): Promise<Buffer> {
  switch (c) {
    case Compression.None:
      return payload;
    case Compression.Deflate:
      return deflateRaw(payload, { level: 6 });
    case Compression.Brotli:
      return brotliCompress(payload, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: 6,
          [zlib.constants.BROTLI_PARAM_LGWIN]: 22,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: payload.length,
        },
      });
  }
}

async function decompress(body: Buffer, c: Compression): Promise<Buffer> {
  try {
    switch (c) {
      case Compression.None:
        return body;
      case Compression.Deflate:
        return await inflateRaw(body, { maxOutputLength: MAX_PAYLOAD_BYTES });
      case Compression.Brotli:
        return await brotliDecompress(body, { maxOutputLength: MAX_PAYLOAD_BYTES });
    }
  } catch (err) {
    throw new StateDecodeError(`state payload does not decompress: ${(err as Error).message}`);
  }
}
