import { createHash } from 'node:crypto';
import { type AuthSnapshot, decodeAuthSnapshot, encodeAuthSnapshot } from './auth-snapshot.js';
import { StateDecodeError } from './decode-error.js';
import { openEnvelope, readEnvelopeHeader, sealEnvelope } from './envelope.js';
import type { Keyring } from './keyring.js';
import type { StateRef } from './port.js';

/**
 * The state codec: snapshot → binary payload (auth-snapshot.ts, value-codec.ts) → compressed and
 * encrypted envelope (envelope.ts), and back. The hash is of the plaintext payload, so a writer can
 * skip a write whose content did not change without keeping a copy of it.
 */
export interface EncodedState {
  envelope: Buffer;
  hash: Buffer;
}

export const payloadHash = (payload: Buffer) => createHash('sha256').update(payload).digest();

export async function encodeAuthState(snapshot: AuthSnapshot, ref: StateRef, keyring: Keyring): Promise<EncodedState> {
  const payload = encodeAuthSnapshot(snapshot);
  return { envelope: await sealEnvelope(payload, ref, keyring.current), hash: payloadHash(payload) };
}

export async function decodeAuthState(envelope: Buffer, ref: StateRef, keyring: Keyring): Promise<{ snapshot: AuthSnapshot; hash: Buffer }> {
  const payload = await openEnvelope(envelope, ref, keyring);
  try {
    return { snapshot: decodeAuthSnapshot(payload), hash: payloadHash(payload) };
  } catch (err) {
    if (err instanceof StateDecodeError) throw new StateDecodeError(`session ${ref.sessionId}: ${err.message}`);
    throw err;
  }
}

/** The same plaintext under the keyring's current key, after checking it decodes (rotation, migration, bundles). */
export async function reencryptEnvelope(envelope: Buffer, ref: StateRef, keyring: Keyring): Promise<Buffer> {
  const payload = await openEnvelope(envelope, ref, keyring);
  decodeAuthSnapshot(payload);
  return sealEnvelope(payload, ref, keyring.current);
}

export const isUnderCurrentKey = (envelope: Buffer, keyring: Keyring) => keyring.isCurrent(readEnvelopeHeader(envelope).keyId);
