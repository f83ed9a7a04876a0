import type { Logger } from '../core/logger.js';
import { type AuthSnapshot, decodeAuthSnapshot, encodeAuthSnapshot } from './auth-snapshot.js';
import { type RetryOptions, retryDelay } from './backoff.js';
import { decodeAuthState, payloadHash } from './codec.js';
import { readEnvelopeHeader, sealEnvelope } from './envelope.js';
import type { Keyring } from './keyring.js';
import { type StateRef, type StateStore, StaleEpochError, type WriteFence } from './port.js';
import type { SessionStateHandle } from './session-state-handle.js';
import type { TimerClock } from './timer-clock.js';

export interface WriteEvent {
  ref: StateRef;
  /** written: stored; unchanged: skipped, same content as stored; failed: will be retried; fence_lost: not retried. */
  outcome: 'written' | 'unchanged' | 'failed' | 'fence_lost';
  bytes?: number;
  error?: unknown;
}

/** What a handle needs from its vault (and nothing more, so tests can fake it). */
export interface HandleContext {
  readonly store: StateStore;
  readonly keyring: Keyring;
  readonly logger: Logger;
  readonly clock: TimerClock;
  readonly flushDelayMs: number;
  readonly retry: RetryOptions;
  isClosed(): boolean;
  /** The handle's busy state (unsaved, writing, failing) may have changed. */
  changed(handle: VaultSessionHandle): void;
  fenceLost(ref: StateRef, err: StaleEpochError): void;
  written(event: WriteEvent): void;
}

/**
 * Write-behind for one session: coalesces marks into one write per `flushDelayMs`, skips writes
 * whose plaintext hash equals the last stored one, retries failures with backoff (the latest
 * snapshot wins), and stops writing after a StaleEpochError until a new fence is set.
 */
export class VaultSessionHandle implements SessionStateHandle {
  private snapshotFn?: () => AuthSnapshot;
  private unsavedSince: number | null = null;
  /** When the changes of the write in flight were first made. */
  private inFlightSince: number | null = null;
  private timer: unknown;
  private writing?: Promise<void>;
  private lastHash?: Buffer;
  private fence?: WriteFence;
  private fenceIsLost = false;
  /** Deleted or discarded, and not loaded since: late changes from the old connection are ignored. */
  private deleted = false;
  private generation = 0;
  failures = 0;
  lastError: { message: string; at: number } | null = null;

  constructor(
    readonly ref: StateRef,
    private readonly ctx: HandleContext,
  ) {}

  get busy(): boolean {
    return this.unsavedSince !== null || this.writing !== undefined || this.failures > 0;
  }

  /** Since when this session has changes not yet stored (in flight or waiting), or null. */
  get pendingSince(): number | null {
    if (this.inFlightSince === null) return this.unsavedSince;
    return this.unsavedSince === null ? this.inFlightSince : Math.min(this.unsavedSince, this.inFlightSince);
  }

  /**
   * The latest state: after any write in flight; and while changes are unsaved (a write waits, or
   * the store is down), those changes themselves, so a reconnect never starts from stale state.
   */
  async load(): Promise<AuthSnapshot | null> {
    this.deleted = false;
    // a flush awaiting the same write may start the next one first: wait until none is in flight
    while (this.writing) await this.writing.catch(() => undefined);
    if (this.snapshotFn) return decodeAuthSnapshot(encodeAuthSnapshot(this.snapshotFn()));
    const envelope = await this.ctx.store.read(this.ref);
    if (!envelope) {
      this.lastHash = undefined;
      return null;
    }
    const { snapshot, hash } = await decodeAuthState(envelope, this.ref, this.ctx.keyring);
    // state under a previous key is rewritten under the current one at the next change
    this.lastHash = this.ctx.keyring.isCurrent(readEnvelopeHeader(envelope).keyId) ? hash : undefined;
    return snapshot;
  }

  markDirty(snapshot: () => AuthSnapshot): void {
    if (this.fenceIsLost || this.deleted) return;
    if (this.ctx.isClosed()) {
      this.ctx.logger.warn({ session: this.ref.sessionId }, 'state change after the vault closed is not persisted');
      return;
    }
    this.snapshotFn = snapshot;
    this.unsavedSince ??= this.ctx.clock.now();
    if (this.timer === undefined && !this.writing && this.failures === 0) this.schedule(this.ctx.flushDelayMs);
    this.ctx.changed(this);
  }

  async flush(): Promise<void> {
    this.cancelTimer();
    if (this.writing) await this.writing.catch(() => undefined);
    if (this.snapshotFn && !this.fenceIsLost) await this.startWrite();
  }

  async delete(): Promise<void> {
    this.generation++;
    this.deleted = true;
    this.cancelTimer();
    this.snapshotFn = undefined;
    this.unsavedSince = null;
    this.failures = 0;
    this.lastError = null;
    if (this.writing) await this.writing.catch(() => undefined);
    try {
      await this.ctx.store.delete(this.ref);
      this.lastHash = undefined;
    } finally {
      this.ctx.changed(this);
    }
  }

  discard(): void {
    this.generation++;
    this.deleted = true; // late changes from the abandoned connection are ignored until the next load
    this.cancelTimer();
    this.snapshotFn = undefined;
    this.unsavedSince = null;
    this.inFlightSince = null;
    this.failures = 0;
    this.lastError = null;
    this.lastHash = undefined;
    this.ctx.changed(this);
  }

  setFence(fence: WriteFence | undefined): void {
    this.fence = fence ? { epoch: fence.epoch } : undefined;
    if (fence) this.fenceIsLost = false;
  }

  cancelTimer(): void {
    if (this.timer !== undefined) this.ctx.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    this.timer = this.ctx.clock.setTimeout(() => {
      this.timer = undefined;
      if (!this.writing) this.startWrite().catch(() => undefined);
    }, ms);
  }

  private startWrite(): Promise<void> {
    this.cancelTimer();
    const p = this.writeOnce().finally(() => {
      this.writing = undefined;
      this.inFlightSince = null;
      if (this.snapshotFn && this.timer === undefined && this.failures === 0 && !this.ctx.isClosed()) this.schedule(this.ctx.flushDelayMs);
      this.ctx.changed(this);
    });
    this.writing = p;
    return p;
  }

  private async writeOnce(): Promise<void> {
    const fn = this.snapshotFn;
    if (!fn) return;
    this.snapshotFn = undefined;
    const since = this.unsavedSince ?? this.ctx.clock.now();
    this.unsavedSince = null;
    this.inFlightSince = since;
    const gen = this.generation;
    try {
      // encoded synchronously: the adapter's buffers are read before anything else runs
      const payload = encodeAuthSnapshot(fn());
      const hash = payloadHash(payload);
      if (this.lastHash?.equals(hash)) return this.succeeded({ ref: this.ref, outcome: 'unchanged' });
      const envelope = await sealEnvelope(payload, this.ref, this.ctx.keyring.current);
      if (gen !== this.generation) return;
      await this.ctx.store.write(this.ref, envelope, this.fence);
      this.lastHash = hash;
      this.succeeded({ ref: this.ref, outcome: 'written', bytes: envelope.length });
    } catch (err) {
      if (gen !== this.generation) return;
      this.inFlightSince = null;
      if (err instanceof StaleEpochError) return this.lostFence(err);
      this.snapshotFn ??= fn;
      this.unsavedSince = Math.min(since, this.unsavedSince ?? Infinity);
      this.failures++;
      this.lastError = { message: (err as Error)?.message ?? String(err), at: this.ctx.clock.now() };
      const delay = retryDelay(this.failures, this.ctx.retry);
      this.ctx.logger.warn({ err, session: this.ref.sessionId, attempt: this.failures, retryInMs: delay }, 'session state write failed; will retry');
      if (this.timer === undefined && !this.ctx.isClosed()) this.schedule(delay);
      this.ctx.written({ ref: this.ref, outcome: 'failed', error: err });
      throw err;
    }
  }

  private succeeded(event: WriteEvent): void {
    this.inFlightSince = null;
    if (this.failures > 0) this.ctx.logger.info({ session: this.ref.sessionId, after: this.failures }, 'session state written after retries');
    this.failures = 0;
    this.lastError = null;
    this.ctx.written(event);
  }

  private lostFence(err: StaleEpochError): never {
    this.fenceIsLost = true;
    this.snapshotFn = undefined;
    this.unsavedSince = null;
    this.failures = 0;
    this.lastError = null;
    this.ctx.logger.warn({ session: this.ref.sessionId, epoch: err.epoch }, 'session state write refused: another node owns this session');
    this.ctx.fenceLost(this.ref, err);
    this.ctx.written({ ref: this.ref, outcome: 'fence_lost', error: err });
    throw err;
  }
}
