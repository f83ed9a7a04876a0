import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import type { AuthSnapshot } from './auth-snapshot.js';
import { decodeAuthState, encodeAuthState } from './codec.js';
import { Keyring } from './keyring.js';
import { MemoryStateStore } from './memory-store.js';
import { type StateRef, StaleEpochError, type WriteFence } from './port.js';
import { StateVault, type StateVaultOptions, type WriteEvent } from './state-vault.js';
import type { TimerClock } from './timer-clock.js';

/** Timers that fire only when the test advances time. */
class ManualClock implements TimerClock {
  private t = 1_000_000;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    this.timers.set(++this.seq, { at: this.t + ms, fn });
    return this.seq;
  };
  clearTimeout = (h: unknown) => {
    this.timers.delete(h as number);
  };
  /** Delays (from now) of the timers still pending. */
  pending(): number[] {
    return [...this.timers.values()].map((x) => x.at - this.t).sort((a, b) => a - b);
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const next = [...this.timers.entries()].filter(([, x]) => x.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
    }
    this.t = end;
  }
}

/** A memory store that can be taken down, and counts writes. */
class FlakyStore extends MemoryStateStore {
  down = false;
  writes = 0;
  override async write(ref: StateRef, data: Buffer, fence?: WriteFence): Promise<void> {
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:9000');
    this.writes++;
    return super.write(ref, data, fence);
  }
}

const snap = (n: number): AuthSnapshot => ({ creds: { n }, preKeys: { firstId: 0, privateKeys: Buffer.alloc(0) }, keys: new Map() });
const ref = { workspaceId: 'w', sessionId: 's1' };

function setup(extra: Partial<StateVaultOptions> = {}) {
  const clock = new ManualClock();
  const store = new FlakyStore();
  const keyring = Keyring.generate();
  const events: WriteEvent[] = [];
  let wake: (() => void) | undefined;
  const vault = new StateVault({
    store,
    keyring,
    logger: silentLogger,
    clock,
    flushDelayMs: 500,
    retry: { baseMs: 1000, maxMs: 8000, random: () => 1 },
    onWrite: (e) => {
      events.push(e);
      wake?.();
    },
    ...extra,
  });
  /** Resolves once `n` write attempts in total have finished. */
  const attempts = async (n: number) => {
    while (events.length < n) await new Promise<void>((r) => (wake = r));
  };
  const stored = async () => {
    const env = await store.read(ref);
    return env ? ((await decodeAuthState(env, ref, keyring)).snapshot.creds.n as number) : null;
  };
  return { clock, store, keyring, vault, events, attempts, stored };
}

describe('StateVault', () => {
  it('turns a burst of changes into one write of the latest state after flushDelayMs', async () => {
    const { clock, store, vault, attempts, stored } = setup();
    const h = vault.forSession(ref);
    for (let i = 1; i <= 100; i++) h.markDirty(() => snap(i));
    clock.advance(499);
    expect(store.writes).toBe(0);
    expect(vault.backlog()).toMatchObject({ pending: 1, failing: 0, oldestPendingMs: 499 });
    clock.advance(1);
    await attempts(1);
    await vault.idle();
    expect(store.writes).toBe(1);
    expect(await stored()).toBe(100);
    expect(vault.backlog()).toEqual({ pending: 0, failing: 0, oldestPendingMs: null, lastError: null, spilled: 0 });
    expect(clock.pending()).toEqual([]);
  });

  it('skips a write whose content equals what is stored, including right after load', async () => {
    const { clock, store, vault, keyring, events, attempts } = setup();
    await store.write(ref, (await encodeAuthState(snap(7), ref, keyring)).envelope);
    const h = vault.forSession(ref);
    expect((await h.load())?.creds).toEqual({ n: 7 });
    h.markDirty(() => snap(7));
    clock.advance(500);
    await attempts(1);
    expect(events[0].outcome).toBe('unchanged');
    h.markDirty(() => snap(8));
    clock.advance(500);
    await attempts(2);
    h.markDirty(() => snap(8));
    clock.advance(500);
    await attempts(3);
    expect(events.map((e) => e.outcome)).toEqual(['unchanged', 'written', 'unchanged']);
    expect(store.writes).toBe(2);
  });

  it('keeps the session running through a store outage: backoff with a cap, latest snapshot wins, nothing lost', async () => {
    const { clock, store, vault, events, attempts, stored } = setup();
    const h = vault.forSession(ref);
    store.down = true;
    h.markDirty(() => snap(1));
    clock.advance(500);
    await attempts(1);
    expect(events[0].outcome).toBe('failed');
    expect(vault.backlog()).toMatchObject({ pending: 1, failing: 1, oldestPendingMs: 500, lastError: 'connect ECONNREFUSED 127.0.0.1:9000' });
    expect(clock.pending()).toEqual([1000]);

    // changes during the outage do not hurry the retries
    h.markDirty(() => snap(2));
    expect(clock.pending()).toEqual([1000]);
    const delays: number[] = [];
    for (let n = 2; n <= 6; n++) {
      delays.push(clock.pending()[0]);
      clock.advance(clock.pending()[0]);
      await attempts(n);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(vault.backlog()).toMatchObject({ pending: 1, failing: 1 });
    expect(vault.backlog().oldestPendingMs).toBe(500 + 1000 + 2000 + 4000 + 8000 + 8000);

    h.markDirty(() => snap(3));
    store.down = false;
    clock.advance(clock.pending()[0]);
    await attempts(7);
    await vault.idle();
    expect(await stored()).toBe(3);
    expect(vault.backlog()).toEqual({ pending: 0, failing: 0, oldestPendingMs: null, lastError: null, spilled: 0 });
  });

  it('load during an outage returns the unsaved changes, not the stale stored state', async () => {
    const { clock, store, vault, attempts, stored } = setup();
    const h = vault.forSession(ref);
    h.markDirty(() => snap(1));
    await h.flush();
    store.down = true;
    h.markDirty(() => snap(2));
    clock.advance(500);
    await attempts(2);
    expect((await h.load())?.creds).toEqual({ n: 2 }); // a reconnect picks up the latest state
    expect(await stored()).toBe(1);
    store.down = false;
    clock.advance(clock.pending()[0]);
    await vault.idle();
    expect(await stored()).toBe(2);
  });

  it('load waits for a write in flight', async () => {
    const { vault, stored } = setup();
    const h = vault.forSession(ref);
    h.markDirty(() => snap(5));
    const flushing = h.flush();
    const loaded = await h.load();
    await flushing;
    expect(loaded?.creds).toEqual({ n: 5 });
    expect(await stored()).toBe(5);
  });

  it('spreads retries with jitter between half and all of the backoff', async () => {
    const { clock, store, vault, attempts } = setup({ retry: { baseMs: 1000, maxMs: 30_000, random: () => 0 } });
    store.down = true;
    vault.forSession(ref).markDirty(() => snap(1));
    clock.advance(500);
    await attempts(1);
    expect(clock.pending()).toEqual([500]);
  });

  it('reports a stale epoch through onFenceLost and never retries it', async () => {
    const lost: StateRef[] = [];
    const { clock, store, vault, attempts, events } = setup({ onFenceLost: (r) => lost.push(r) });
    await store.write(ref, Buffer.from('newer owner'), { epoch: 5 });
    const h = vault.forSession(ref);
    h.setFence({ epoch: 3 });
    h.markDirty(() => snap(1));
    clock.advance(500);
    await attempts(1);
    expect(events[0].outcome).toBe('fence_lost');
    expect(events[0].error).toBeInstanceOf(StaleEpochError);
    expect(lost).toEqual([ref]);
    expect(clock.pending()).toEqual([]);
    expect(vault.backlog().pending).toBe(0);
    h.markDirty(() => snap(2)); // ignored: the session lost its lease
    expect(clock.pending()).toEqual([]);
    expect(await store.read(ref)).toEqual(Buffer.from('newer owner'));

    h.setFence({ epoch: 6 }); // leased again
    h.markDirty(() => snap(3));
    await h.flush();
    expect(await store.read(ref)).not.toEqual(Buffer.from('newer owner'));
  });

  it('flush writes at once; a failed flush rejects and keeps the state pending for retry', async () => {
    const { clock, store, vault, stored } = setup();
    const h = vault.forSession(ref);
    h.markDirty(() => snap(1));
    await h.flush();
    expect(await stored()).toBe(1);
    expect(clock.pending()).toEqual([]);
    store.down = true;
    h.markDirty(() => snap(2));
    await expect(h.flush()).rejects.toThrow(/ECONNREFUSED/);
    expect(vault.backlog()).toMatchObject({ pending: 1, failing: 1 });
    store.down = false;
    await vault.flushAll();
    expect(await stored()).toBe(2);
    await h.flush(); // nothing to do
    expect(store.writes).toBe(2);
  });

  it('delete removes the state and cancels the pending write', async () => {
    const { clock, store, vault } = setup();
    const h = vault.forSession(ref);
    h.markDirty(() => snap(1));
    await h.flush();
    h.markDirty(() => snap(2));
    await h.delete();
    expect(await store.read(ref)).toBeNull();
    expect(clock.pending()).toEqual([]);
    clock.advance(10_000);
    await vault.idle();
    expect(await store.read(ref)).toBeNull();
    expect(vault.backlog().pending).toBe(0);
  });

  it('hands out one handle per session', () => {
    const { vault } = setup();
    expect(vault.forSession({ ...ref })).toBe(vault.forSession({ ...ref }));
    expect(vault.forSession({ ...ref, sessionId: 's2' })).not.toBe(vault.forSession(ref));
    expect(() => vault.forSession({ workspaceId: 'w', sessionId: '../x' })).toThrow(/invalid session id/);
  });

  it('close flushes what is pending and ignores later changes', async () => {
    const { clock, store, vault, stored } = setup();
    const h = vault.forSession(ref);
    h.markDirty(() => snap(1));
    await vault.close();
    expect(await stored()).toBe(1);
    h.markDirty(() => snap(2));
    clock.advance(10_000);
    expect(store.writes).toBe(1);
  });

  it('close during an outage with no budget left gives up the timers and returns', async () => {
    const { clock, store, vault, attempts } = setup({ shutdownBudgetMs: 0 });
    store.down = true;
    vault.forSession(ref).markDirty(() => snap(1));
    await vault.close();
    await attempts(1); // the one attempt it still makes, without waiting for it
    expect(clock.pending()).toEqual([]);
    expect(vault.backlog()).toMatchObject({ pending: 1, failing: 1 });
  });

  it('a snapshot function that throws is a failed write, retried like an outage', async () => {
    const { clock, vault, attempts, events } = setup();
    let boom = true;
    vault.forSession(ref).markDirty(() => {
      if (boom) throw new Error('snapshot bug');
      return snap(1);
    });
    clock.advance(500);
    await attempts(1);
    expect(events[0].outcome).toBe('failed');
    boom = false;
    clock.advance(clock.pending()[0]);
    await attempts(2);
    expect(events[1].outcome).toBe('written');
  });
});
