import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalEventBus } from '../core/local-event-bus.js';
import { silentLogger } from '../core/logger.js';
import { systemClock } from '../core/clock.js';
import { Keyring, MemoryStateStore, StateVault } from '../state-store/index.js';
import { SessionRepo, SessionService } from '../sessions/index.js';
import { FakeEngine } from '../../test/support/fake-engine.js';
import { advance, flush, stepUntil, type TestClusterNode, UnitCluster, useClusterClock } from './testing/cluster-harness.js';

const TTL = 1000;
/** Every reconnect waits exactly this long (full-jitter backoff with random() = 1, capped). */
const BACKOFF = 205;

/** The sessions table, with the next status write held back for a while (a slow database). */
class SlowRepo extends SessionRepo {
  holdNextWriteMs = 0;
  override async update(...args: Parameters<SessionRepo['update']>): Promise<void> {
    const hold = this.holdNextWriteMs;
    this.holdNextWriteMs = 0;
    if (hold) await new Promise((r) => setTimeout(r, hold));
    return super.update(...args);
  }
}

/**
 * Ownership before connecting, with the real session service over a cluster node (memory leases,
 * fake clock) and a fake engine: a session connects only under a lease this node just took, and
 * a reconnect never dials once this node's leases may have ended.
 */
describe('cluster: a session connects only while this node holds its lease', () => {
  let c: UnitCluster;
  let engine: FakeEngine;
  let vault: StateVault;
  let sessions: SessionService;
  let a: TestClusterNode;
  let repo: SlowRepo;

  beforeEach(async () => {
    c = await UnitCluster.create({ leaseTtlMs: TTL });
    useClusterClock();
    engine = new FakeEngine();
    vault = new StateVault({ store: new MemoryStateStore(), keyring: new Keyring(randomBytes(32), []), logger: silentLogger, flushDelayMs: 1 });
    a = c.node('a');
    repo = new SlowRepo(c.db.db);
    sessions = new SessionService({
      repo,
      engine,
      vault,
      events: new LocalEventBus(),
      logger: silentLogger,
      clock: systemClock,
      nodeId: 'a',
      ownership: a.node.ownership,
      runtime: { backoff: { baseMs: BACKOFF, capMs: BACKOFF, minMs: BACKOFF }, random: () => 1 },
    });
  });
  afterEach(async () => {
    vi.clearAllTimers();
    vi.useRealTimers();
    await sessions.shutdown().catch(() => undefined);
    await vault.close();
    await c.close();
  });

  it('while another node holds the lease nothing connects — neither the reconciler nor POST …/start; once it is free, it does', async () => {
    await c.session('s1', 'a');
    expect((await c.leases.acquire('b', ['s1'], 5 * TTL)).get('s1')).toBe(1);
    await a.node.start(sessions);
    await advance(2 * TTL); // many reconcile ticks: each tries the lease and is refused
    expect(engine.connections).toHaveLength(0);
    expect(sessions.hostedIds()).toEqual([]);

    const view = await sessions.start('w', 's1');
    expect(view.node).toBe('a');
    expect(engine.connections).toHaveLength(0);
    expect(sessions.hostedIds()).toEqual([]);

    await c.leases.release('b', ['s1']);
    await stepUntil(() => engine.connections.length === 1, 2 * TTL);
    expect(await c.leases.get('s1')).toMatchObject({ holder: 'a', epoch: 2 });
  });

  it('a reconnect due after this node’s renewals stalled past 0.7·TTL does not dial, even before the watchdog drops the session', async () => {
    await c.session('s1', 'a');
    await a.node.start(sessions);
    await stepUntil(() => engine.connections.length === 1, TTL);
    engine.connections[0].open();
    await flush();

    // control: with fresh leases a dropped connection is redialled after the backoff
    engine.connections[0].listener.close({ kind: 'transient', code: 428, message: 'Connection Terminated' });
    await flush();
    await advance(BACKOFF);
    expect(engine.connections).toHaveLength(2);
    engine.connections[1].open();

    // the database stops answering right after a renewal; the next one (at TTL/2) hangs
    const lastOk = a.link.renewals.at(-1)! + TTL / 2;
    await advance(lastOk - performance.now());
    expect(a.link.renewals.at(-1)).toBe(lastOk);
    a.link.mode = 'hang';
    await advance(TTL / 2);
    // the connection drops just then: its reconnect is due at 0.5·TTL + 205 ms = 0.705·TTL,
    // after the leases stopped being fresh (0.7·TTL) but before the watchdog's next look (0.75·TTL)
    engine.connections[1].listener.close({ kind: 'transient', code: 428, message: 'Connection Terminated' });
    await flush();
    await advance(lastOk + 0.705 * TTL + 1 - performance.now());
    expect(sessions.hostedIds()).toEqual(['s1']); // the watchdog has not acted yet …
    expect(engine.connections).toHaveLength(2); // … and still nothing dialled
    await advance(2 * TTL);
    expect(sessions.hostedIds()).toEqual([]); // dropped by the watchdog
    expect(engine.connections).toHaveLength(2);
  });

  it('a session dropped while its start is still writing its status never connects later (no untracked second connection)', async () => {
    await c.session('s1', 'a');
    repo.holdNextWriteMs = 0.9 * TTL; // the "starting" write hangs past the fencing point
    await a.node.start(sessions);
    await stepUntil(() => sessions.hostedIds().length === 1, TTL);
    a.link.mode = 'down';
    const droppedAt = await stepUntil(() => sessions.hostedIds().length === 0, TTL); // by the watchdog, at 0.7·TTL
    expect(droppedAt).toBeLessThan(0.9 * TTL); // while its "starting" write was still held back
    expect(engine.connections).toHaveLength(0);
    a.link.mode = 'up';
    // back on the database: the session is taken again (a new runtime, a new epoch) and connects once
    await stepUntil(() => engine.connections.length > 0, 3 * TTL);
    expect(await c.leases.get('s1')).toMatchObject({ holder: 'a', epoch: 2 });
    // the dropped runtime's start went on after its write, but it stays dead: still one connection
    await advance(5 * TTL);
    expect(engine.connections).toHaveLength(1);
    expect(engine.connections[0].ended).toBe(false);
  });
});
