import type { AuthSnapshot } from './auth-snapshot.js';
import type { StateRef, WriteFence } from './port.js';

/** One session's persisted auth state, as the engine sees it (StateVault.forSession). */
export interface SessionStateHandle {
  readonly ref: StateRef;
  /**
   * Decrypts and decodes the stored state; null when there is none. Throws StateDecodeError on bad
   * state. State spilled at an earlier shutdown is settled into the store first (state-spill.ts).
   */
  load(): Promise<AuthSnapshot | null>;
  /**
   * The state changed. `snapshot` is called later (once per write, after `flushDelayMs`), so a
   * burst of updates becomes one write of the latest state. It must return synchronously.
   */
  markDirty(snapshot: () => AuthSnapshot): void;
  /**
   * Writes now if anything is unsaved (shutdown, before a handover); rejects when the write fails,
   * and once a shutdown has begun (StateVault.beginShutdown) also when the store has not answered
   * by its deadline — the state then stays pending, for the vault's close to spill.
   */
  flush(): Promise<void>;
  /** Removes the stored state and cancels pending writes. */
  delete(): Promise<void>;
  /** Cluster epoch carried by later writes; a new fence also re-arms a handle that lost its fence. */
  setFence(fence: WriteFence | undefined): void;
  /**
   * Forgets unsaved changes and stops retrying them: this node no longer owns the session (its
   * lease is gone), so whatever it still held in memory must not be written or reloaded.
   */
  discard(): void;
}
