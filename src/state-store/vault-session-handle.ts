import type { Logger } from '../core/logger.js';
import { type AuthSnapshot, decodeAuthSnapshot, encodeAuthSnapshot } from './auth-snapshot.js';
import { type RetryOptions, retryDelay } from './backoff.js';
import { decodeAuthState, payloadHash } from './codec.js';
import { readEnvelopeHeader, sealEnvelope } from './envelope.js';
import type { Keyring } from './keyring.js';
import { type StateRef, type StateStore, StaleEpochError, type WriteFence } from './port.js';
import type { SessionStateHandle } from './session-state-handle.js';
import type { StateSpill } from './state-spill.js';
import { beforeDeadline, type TimerClock } from './timer-clock.js';

/** Writes whose outcome is unknown that a spill remembers as possible bases (spill-record.ts). */
const UNCONFIRMED_KEPT = 16;

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
  /** Where unsaved state goes at shutdown, and is settled from when a session loads. */
  readonly spill?: StateSpill;
  isClosed(): boolean;
  /** Once a shutdown has begun: when it stops waiting for the store. */
  shutdownDeadline(): number | null;
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
  /** Plaintext hash of what the store holds as far as this handle knows (null: nothing; undefined: unknown). */
  private storedHash: Buffer | null | undefined;
  /** Hashes of writes sent since, whose outcome is unknown (a timed-out write may have landed). */
  private unconfirmed: Buffer[] = [];
  /** The snapshot of the write in flight (a shutdown may spill it while the write hangs). */
  private inFlightFn?: () => AuthSnapshot;
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
    // state spilled at an earlier shutdown goes to the store first, if it is still the newer one
    await this.ctx.spill?.settle(this.ref, this.ctx.store, this.fence);
    const envelope = await this.ctx.store.read(this.ref);
    this.unconfirmed = [];
    if (!envelope) {
      this.lastHash = undefined;
      this.storedHash = null;
      return null;
    }
    const { snapshot, hash } = await decodeAuthState(envelope, this.ref, this.ctx.keyring);
    // state under a previous key is rewritten under the current one at the next change
    this.lastHash = this.ctx.keyring.isCurrent(readEnvelopeHeader(envelope).keyId) ? hash : undefined;
    this.storedHash = hash;
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

  flush(): Promise<void> {
    const work = this.flushNow();
    const deadline = this.ctx.shutdownDeadline();
    return deadline === null ? work : beforeDeadline(work, this.ctx.clock, deadline, `writing the state of session ${this.ref.sessionId}`);
  }

  private async flushNow(): Promise<void> {
    this.cancelTimer();
    if (this.writing) await this.writing.catch(() => undefined);
    if (this.snapshotFn && !this.fenceIsLost && !this.ctx.isClosed()) await this.startWrite();
  }

  /** Unsaved changes (waiting, failing, or in a write that has not finished). */
  get hasUnsaved(): boolean {
    return !this.fenceIsLost && !this.deleted && (this.snapshotFn !== undefined || this.writing !== undefined);
  }

  /**
   * Shutdown, once the store had its chance: the unsaved state, encrypted as for the store, into
   * the spill with the stored states it derives from. False when nothing needed spilling.
   */
  async spillTo(spill: StateSpill): Promise<boolean> {
    const fn = this.snapshotFn ?? (this.writing ? this.inFlightFn : undefined);
    if (!fn || !this.hasUnsaved) return false;
    const payload = encodeAuthSnapshot(fn());
    const hash = payloadHash(payload);
    if (!this.writing && this.storedHash?.equals(hash)) return false;
    const envelope = await sealEnvelope(payload, this.ref, this.ctx.keyring.current);
    const bases = [...(this.storedHash ? [this.storedHash] : []), ...this.unconfirmed];
    await spill.save(this.ref, envelope, { baseWasEmpty: !this.storedHash, bases }, this.ctx.clock.now());
    return true;
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
      this.storedHash = null;
      this.unconfirmed = [];
      await this.ctx.spill?.drop(this.ref);
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
    this.storedHash = undefined;
    this.unconfirmed = [];
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
      this.inFlightFn = undefined;
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
    this.inFlightFn = fn;
    const since = this.unsavedSince ?? this.ctx.clock.now();
    this.unsavedSince = null;
    this.inFlightSince = since;
    const gen = this.generation;
    try {
      // encoded synchronously: the adapter's buffers are read before anything else runs
      const payload = encodeAuthSnapshot(fn());
      const hash = payloadHash(payload);
      if (this.lastHash?.equals(hash)) return this.succeeded({ ref: this.ref, outcome: 'unchanged' });
      this.noteUnconfirmed(hash);
      const envelope = await sealEnvelope(payload, this.ref, this.ctx.keyring.current);
      if (gen !== this.generation) return;
      await this.ctx.store.write(this.ref, envelope, this.fence);
      this.lastHash = hash;
      this.storedHash = hash;
      this.unconfirmed = [];
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

  private noteUnconfirmed(hash: Buffer): void {
    if (this.unconfirmed.some((h) => h.equals(hash))) return;
    this.unconfirmed.push(hash);
    if (this.unconfirmed.length > UNCONFIRMED_KEPT) this.unconfirmed.shift();
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
