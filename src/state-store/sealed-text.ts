import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KEY_ID_BYTES, type Keyring } from './keyring.js';

const PREFIX = 'ksec1.';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed value that cannot be opened: its key is not configured, or it was altered or moved. */
export class SealedTextError extends Error {
  override name = 'SealedTextError';
}

/**
 * Short secrets kept in the database (webhook signing secrets), encrypted under the state key:
 * `ksec1.<key id hex>.<base64url of nonce | AES-256-GCM ciphertext | tag>`, with the purpose and
 * the owning row's id as associated data, so a value copied onto another row does not open.
 */
export interface TextSealer {
  seal(plaintext: string, context: string): string;
  /** The plaintext; a value without the prefix (stored before sealing existed) is returned as it is. */
  open(stored: string, context: string): string;
  /** True when `stored` is plaintext or sealed under a key other than the current one. */
  stale(stored: string): boolean;
}

export function keyringSealer(keyring: Keyring, purpose: string): TextSealer {
  const aad = (context: string) => Buffer.from(`kirim sealed text\0${purpose}\0${context}`, 'utf8');
  const parse = (stored: string) => {
    const [, idHex, body] = stored.split('.');
    const keyId = Buffer.from(idHex ?? '', 'hex');
    const raw = Buffer.from(body ?? '', 'base64url');
    if (keyId.length !== KEY_ID_BYTES || raw.length < NONCE_BYTES + TAG_BYTES) throw new SealedTextError('a sealed value is malformed');
    return { keyId, raw };
  };
  return {
    seal(plaintext, context) {
      const { id, key } = keyring.current;
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(aad(context));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${PREFIX}${id.toString('hex')}.${Buffer.concat([nonce, ct, cipher.getAuthTag()]).toString('base64url')}`;
    },
    open(stored, context) {
      if (!stored.startsWith(PREFIX)) return stored;
      const { keyId, raw } = parse(stored);
      const keys = keyring.find(keyId);
      if (keys.length === 0) {
        throw new SealedTextError(`a ${purpose} is sealed with key ${keyId.toString('hex')}, which is not configured (KIRIM_STATE_KEY / KIRIM_STATE_KEY_PREVIOUS)`);
      }
      const nonce = raw.subarray(0, NONCE_BYTES);
      const tag = raw.subarray(raw.length - TAG_BYTES);
      const ct = raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES);
      for (const { key } of keys) {
        try {
          const decipher = createDecipheriv('aes-256-gcm', key, nonce);
          decipher.setAAD(aad(context));
          decipher.setAuthTag(tag);
          return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
        } catch {
          // another key with the same id, or tampered: try the next
        }
      }
      throw new SealedTextError(`a ${purpose} failed authentication: tampered, or copied from another row`);
    },
    stale(stored) {
      if (!stored.startsWith(PREFIX)) return true;
      try {
        return !keyring.isCurrent(parse(stored).keyId);
      } catch {
        return false; // malformed: leave it for open() to report
      }
    },
  };
}
