import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { DEFAULT_RETRY, type RetryOptions, retryDelay } from './backoff.js';
import type { Keyring } from './keyring.js';
import type { StaleEpochError, StateRef, StateStore } from './port.js';
import type { SessionStateHandle } from './session-state-handle.js';
import { type SettleOutcome, StateSpill } from './state-spill.js';
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
  /**
   * A local store (an FsStateStore under `spillStateRoot(dataDir)`) for the state the store did not
   * take by the end of the shutdown budget; settled back at the next start (state-spill.ts).
   * Without one, that state is lost (and logged).
   */
  spill?: StateStore;
  /** How long a shutdown keeps writing and retrying before it spills what is left [5000 ms]. */
  shutdownBudgetMs?: number;
}

/** Cluster mode: settling a spill needs the session's lease, so that no other node writes meanwhile. */
export interface SpillLeases {
  /** The fencing epoch of the lease just taken, or null when another node holds it. */
  acquire(ref: StateRef): Promise<number | null>;
  release(ref: StateRef): Promise<void>;
}

export type ReplayResult = Record<Exclude<SettleOutcome, 'none'>, number> & { failed: number };


/** For `/healthz`: sessions with unsaved state, of which failing, the age of the oldest, the last error. */
export interface VaultBacklog {
  pending: number;
  failing: number;
  oldestPendingMs: number | null;
  lastError: string | null;
  /** Sessions whose state is in the local spill, not yet in the store (a shutdown during an outage). */
  spilled: number;
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
  private closing?: Promise<void>;
  private deadline: number | null = null;
  private readonly spill?: StateSpill;

  constructor(private readonly opts: StateVaultOptions) {
    this.spill = opts.spill && new StateSpill(opts.spill, opts.keyring, opts.logger);
    this.ctx = {
      store: opts.store,
      keyring: opts.keyring,
      logger: opts.logger,
      clock: asTimerClock(opts.clock),
      flushDelayMs: opts.flushDelayMs ?? 1_000,
      retry: { ...DEFAULT_RETRY, ...opts.retry },
      spill: this.spill,
      isClosed: () => this.closed,
      shutdownDeadline: () => this.deadline,
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
      spilled: this.spill?.count ?? 0,
    };
  }

  /**
   * At start, before sessions load: every spilled session's state into the store, where the store
   * still holds what it was derived from (else it is dropped: later state wins). A spill that can't
   * be settled now (store unreachable, lease held elsewhere) stays, and is settled when its session
   * loads. In cluster mode pass `leases`: each settling write carries a lease taken for it.
   */
  async replaySpills(leases?: SpillLeases): Promise<ReplayResult> {
    const result: ReplayResult = { applied: 0, stored: 0, superseded: 0, kept: 0, failed: 0 };
    if (!this.spill) return result;
    const refs = await this.spill.list();
    for (const ref of refs) {
      try {
        const outcome = await this.settleWithLease(this.spill, ref, leases);
        if (outcome !== 'none') result[outcome]++;
      } catch (err) {
        result.failed++;
        this.opts.logger.error({ err, session: ref.sessionId }, 'spilled session state could not be settled now; it is kept and retried when the session loads');
      }
    }
    if (refs.length > 0) this.opts.logger.info({ ...result, spill: this.spill.location }, 'spilled session state replayed');
    return result;
  }

  private async settleWithLease(spill: StateSpill, ref: StateRef, leases?: SpillLeases): Promise<SettleOutcome> {
    if (!leases) return spill.settle(ref, this.opts.store);
    const epoch = await leases.acquire(ref);
    if (epoch === null) return 'kept';
    try {
      return await spill.settle(ref, this.opts.store, { epoch });
    } finally {
      await leases.release(ref).catch(() => undefined);
    }
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

  /**
   * A shutdown has begun: from now on a flush waits for the store until the shutdown budget ends
   * (then rejects; the state stays pending, for `close` to spill). Called by `close` if not before.
   */
  beginShutdown(): void {
    this.deadline ??= this.ctx.clock.now() + (this.opts.shutdownBudgetMs ?? 5_000);
  }

  /**
   * Writes what is unsaved, retrying until the shutdown budget ends; then spills what the store
   * did not take (when a spill is configured) and stops every timer. Later changes are not
   * persisted. The store stays open.
   */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    this.beginShutdown();
    const deadline = this.deadline!;
    const clock = this.ctx.clock;
    let lastErr: unknown;
    let attempt = 0;
    // at least one attempt, even when the session shutdown used up the budget (it does not wait then)
    while ([...this.busy].some((h) => h.hasUnsaved) && (attempt === 0 || clock.now() < deadline)) {
      try {
        attempt++;
        await this.flushAll();
        lastErr = undefined;
      } catch (err) {
        lastErr = err;
        const wait = Math.min(retryDelay(attempt, { baseMs: 200, maxMs: 1_000, random: this.ctx.retry.random }), deadline - clock.now());
        if (wait > 0) await new Promise<void>((resolve) => clock.setTimeout(resolve, wait));
      }
    }
    this.closed = true;
    for (const h of this.busy) h.cancelTimer();
    const left = [...this.busy].filter((h) => h.hasUnsaved);
    if (left.length === 0) return;
    const spill = this.spill;
    if (!spill) {
      this.opts.logger.error({ err: lastErr, backlog: this.backlog() }, 'closing the state vault with unsaved session state, which is lost (no spill configured)');
      return;
    }
    const results = await Promise.allSettled(left.map((h) => h.spillTo(spill)));
    const lost = results.flatMap((r, i) => (r.status === 'rejected' ? [{ session: left[i].ref.sessionId, err: String(r.reason?.message ?? r.reason) }] : []));
    const spilled = results.filter((r) => r.status === 'fulfilled' && r.value).length;
    if (spilled > 0) {
      this.opts.logger.warn(
        { err: lastErr, spilled, spill: spill.location },
        'the state store did not take every session’s state before shutdown: the rest is spilled locally and written to the store at the next start',
      );
    }
    if (lost.length > 0) this.opts.logger.error({ lost }, 'session state could be neither stored nor spilled: it is lost');
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
