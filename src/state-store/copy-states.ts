import { decodeAuthState, reencryptEnvelope } from './codec.js';
import type { Keyring } from './keyring.js';
import type { StateRef, StateStore } from './port.js';

export type CopyOutcome = 'copied' | 'gone' | 'failed';

export interface CopyProgress {
  done: number;
  total: number;
  ref: StateRef;
  outcome: CopyOutcome;
  error?: string;
}

export interface CopyResult {
  total: number;
  copied: number;
  deleted: number;
  failed: { ref: StateRef; error: string }[];
}

export interface CopyOptions {
  from: StateStore;
  to: StateStore;
  keyring: Keyring;
  /** Delete each source envelope once its copy has been read back and verified. */
  deleteSource?: boolean;
  onProgress?: (p: CopyProgress) => void;
}

/**
 * Copies every session's state from one store to another, re-encrypted under the current key.
 * Each copy is read back from the target and must decrypt and decode before the next one (and
 * before its source is deleted, when asked). Run it with the gateways stopped; it is idempotent.
 */
export async function copyStates({ from, to, keyring, deleteSource, onProgress }: CopyOptions): Promise<CopyResult> {
  if (from.location === to.location) throw new Error(`source and target are the same store (${from.location})`);
  const refs: StateRef[] = [];
  for await (const ref of from.list()) refs.push(ref);
  const result: CopyResult = { total: refs.length, copied: 0, deleted: 0, failed: [] };
  for (const [i, ref] of refs.entries()) {
    let outcome: CopyOutcome = 'copied';
    let error: string | undefined;
    try {
      const envelope = await from.read(ref);
      if (!envelope) outcome = 'gone';
      else {
        const copy = await reencryptEnvelope(envelope, ref, keyring);
        await to.write(ref, copy);
        const back = await to.read(ref);
        if (!back || !back.equals(copy)) throw new Error('the copy read back from the target differs');
        await decodeAuthState(back, ref, keyring);
        result.copied++;
        if (deleteSource) {
          await from.delete(ref);
          result.deleted++;
        }
      }
    } catch (err) {
      outcome = 'failed';
      error = (err as Error).message;
      result.failed.push({ ref, error });
    }
    onProgress?.({ done: i + 1, total: refs.length, ref, outcome, error });
  }
  return result;
}
