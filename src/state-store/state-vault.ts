import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { DEFAULT_RETRY, type RetryOptions } from './backoff.js';
import type { Keyring } from './keyring.js';
import type { StaleEpochError, StateRef, StateStore } from './port.js';
import type { SessionStateHandle } from './session-state-handle.js';
import { assertStateRef, refKey } from './state-ref.js';
import { asTimerClock } from './timer-clock.js';
import { type HandleContext, VaultSessionHandle, type WriteEvent } from './vault-session-handle.js';

export type { WriteEvent };

export interface StateVaultOptions {
  store: StateStore;
  keyring: Keyring;
  logger: Logger;
  /** Time source; when it is a TimerClock its timers are used too (tests), else the system's. */
  clock?: Clock;
  /** How long a burst of changes is gathered into one write [1000 ms]. */
  flushDelayMs?: number;
  retry?: RetryOptions;
  /** A write was refused with StaleEpochError (another node owns the session): stop that session. */
  onFenceLost?: (ref: StateRef, err: StaleEpochError) => void;
  /** After every write attempt (metrics, tests). */
  onWrite?: (event: WriteEvent) => void;
}


/** For `/healthz`: sessions with unsaved state, of which failing, the age of the oldest, the last error. */
export interface VaultBacklog {
  pending: number;
  failing: number;
  oldestPendingMs: number | null;
  lastError: string | null;
}

/**
 * Write-behind persistence of every session's auth state over one StateStore. The vault holds
 * only handles with unsaved or failing state; idle handles are found again through weak
 * references, so `forSession(ref)` returns the same handle while anyone holds it.
 */
export class StateVault {
  private readonly ctx: HandleContext;
  private readonly handles = new Map<string, WeakRef<VaultSessionHandle>>();
  private readonly forget = new FinalizationRegistry<string>((key) => {
    if (!this.handles.get(key)?.deref()) this.handles.delete(key);
  });
  private readonly busy = new Set<VaultSessionHandle>();
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly opts: StateVaultOptions) {
    this.ctx = {
      store: opts.store,
      keyring: opts.keyring,
      logger: opts.logger,
      clock: asTimerClock(opts.clock),
      flushDelayMs: opts.flushDelayMs ?? 1_000,
      retry: { ...DEFAULT_RETRY, ...opts.retry },
      isClosed: () => this.closed,
      changed: (h) => this.changed(h),
      fenceLost: (ref, err) => this.fenceLost(ref, err),
      written: (event) => this.opts.onWrite?.(event),
    };
  }

  get store(): StateStore {
    return this.opts.store;
  }

  forSession(ref: StateRef): SessionStateHandle {
    assertStateRef(ref);
    const key = refKey(ref);
    const existing = this.handles.get(key)?.deref();
    if (existing) return existing;
    const handle = new VaultSessionHandle({ workspaceId: ref.workspaceId, sessionId: ref.sessionId }, this.ctx);
    this.handles.set(key, new WeakRef(handle));
    this.forget.register(handle, key);
    return handle;
  }

  backlog(): VaultBacklog {
    let pending = 0;
    let failing = 0;
    let oldest = Infinity;
    let last: { message: string; at: number } | null = null;
    for (const h of this.busy) {
      const since = h.pendingSince;
      if (since !== null) {
        pending++;
        oldest = Math.min(oldest, since);
      }
      if (h.failures > 0) failing++;
      if (h.lastError && (!last || h.lastError.at >= last.at)) last = h.lastError;
    }
    return {
      pending,
      failing,
      oldestPendingMs: oldest === Infinity ? null : Math.max(0, this.ctx.clock.now() - oldest),
      lastError: last?.message ?? null,
    };
  }

  /** Writes every unsaved session now; rejects (after trying them all) when any write failed. */
  async flushAll(): Promise<void> {
    const handles = [...this.busy];
    const results = await Promise.allSettled(handles.map((h) => h.flush()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) {
      throw new Error(`${failed.length} of ${handles.length} sessions' state could not be written: ${String(failed[0].reason?.message ?? failed[0].reason)}`);
    }
  }

  /** Resolves when no session has unsaved, in-flight or failing state. */
  idle(): Promise<void> {
    if (this.busy.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Flushes what it can, then stops every timer; later changes are not persisted. The store stays open. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flushAll();
    } catch (err) {
      this.opts.logger.error({ err, backlog: this.backlog() }, 'closing the state vault with unsaved session state');
    }
    this.closed = true;
    for (const h of this.busy) h.cancelTimer();
  }

  private changed(h: VaultSessionHandle): void {
    if (h.busy) this.busy.add(h);
    else this.busy.delete(h);
    if (this.busy.size === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private fenceLost(ref: StateRef, err: StaleEpochError): void {
    try {
      this.opts.onFenceLost?.(ref, err);
    } catch (cbErr) {
      this.opts.logger.error({ err: cbErr, session: ref.sessionId }, 'onFenceLost callback failed');
    }
  }
}
