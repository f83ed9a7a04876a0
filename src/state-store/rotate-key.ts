import { isUnderCurrentKey, reencryptEnvelope } from './codec.js';
import type { Keyring } from './keyring.js';
import type { StateRef, StateStore } from './port.js';

export type RotateOutcome = 'rotated' | 'current' | 'gone' | 'failed';

export interface RotateProgress {
  done: number;
  total: number;
  ref: StateRef;
  outcome: RotateOutcome;
  error?: string;
}

export interface RotateResult {
  total: number;
  rotated: number;
  current: number;
  gone: number;
  failed: { ref: StateRef; error: string }[];
}

/**
 * Re-encrypts every envelope of `store` that is not under the keyring's current key (reading with
 * the previous keys). Idempotent and resumable: envelopes already under the current key are
 * skipped, so an interrupted run is simply run again. Each envelope is re-read just before it is
 * replaced; if a running gateway rewrote it meanwhile, that newer envelope is handled instead.
 */
export async function rotateStateKey(store: StateStore, keyring: Keyring, onProgress?: (p: RotateProgress) => void): Promise<RotateResult> {
  const refs: StateRef[] = [];
  for await (const ref of store.list()) refs.push(ref);
  const result: RotateResult = { total: refs.length, rotated: 0, current: 0, gone: 0, failed: [] };
  for (const [i, ref] of refs.entries()) {
    let outcome: RotateOutcome;
    let error: string | undefined;
    try {
      outcome = await rotateOne(store, keyring, ref);
    } catch (err) {
      outcome = 'failed';
      error = (err as Error).message;
      result.failed.push({ ref, error });
    }
    if (outcome !== 'failed') result[outcome]++;
    onProgress?.({ done: i + 1, total: refs.length, ref, outcome, error });
  }
  return result;
}

async function rotateOne(store: StateStore, keyring: Keyring, ref: StateRef): Promise<Exclude<RotateOutcome, 'failed'>> {
  let envelope = await store.read(ref);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (!envelope) return 'gone';
    if (isUnderCurrentKey(envelope, keyring)) return 'current';
    const next = await reencryptEnvelope(envelope, ref, keyring);
    const now = await store.read(ref);
    if (now && now.equals(envelope)) {
      await store.write(ref, next);
      return 'rotated';
    }
    envelope = now;
  }
  throw new Error('the envelope keeps changing under a running gateway; run again');
}
