import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../core/logger.js';
import { noSignals } from './redis-signals.js';
import { Coordinator } from './coordinator.js';
import { advance, flush, stepUntil, UnitCluster, useClusterClock } from './testing/cluster-harness.js';

const TTL = 1000;
/** The watchdog's period for this TTL (cluster-node.ts: TTL/20, within 50…250 ms). */
const WATCHDOG = 50;

describe('cluster node: leases, self-fencing, leadership (fake clock, memory leases)', () => {
  let c: UnitCluster;

  beforeEach(async () => {
    c = await UnitCluster.create({ leaseTtlMs: TTL });
    useClusterClock();
  });
  afterEach(async () => {
    vi.clearAllTimers();
    vi.useRealTimers();
    await c.close();
  });

  it('renews its leases every TTL/2, each renewal extending them by the TTL', async () => {
    await c.session('s1', 'a');
    const a = c.node('a');
    const t0 = performance.now();
    await a.start();
    await flush();
    expect(a.host.hosted.get('s1')).toBe(1);
    expect(a.link.renewals.map((t) => t - t0)).toEqual([0]);
    await advance(TTL / 2 - 1);
    expect(a.link.renewals).toHaveLength(1);
    await advance(1);
    expect(a.link.renewals.map((t) => t - t0)).toEqual([0, 500]);
    await advance(2 * TTL);
    expect(a.link.renewals.map((t) => t - t0)).toEqual([0, 500, 1000, 1500, 2000, 2500]);
    // the last renewal ran just now: the lease runs a full TTL from here, same holder and epoch
    expect(await c.leases.get('s1')).toEqual({ key: 's1', holder: 'a', epoch: 1, expiresAt: Date.now() + TTL });
    expect(a.node.ownership.mayConnect('s1')).toBe(true);
    expect(a.node.ownership.mayConnect('not-mine')).toBe(false);
  });

  it('a slow database does not stretch the cadence: renewals are still sent every TTL/2, so the node stays well inside its leases', async () => {
    await c.session('s1', 'a');
    const a = c.node('a');
    await a.start();
    await flush();
    // every lease call takes 0.15·TTL: a renewal then lands at 0.65·TTL after the previous one
    // was sent — inside the fencing point only if the next one is sent TTL/2 after that one, not
    // TTL/2 after it came back (0.8·TTL: the node would drop its sessions)
    a.link.latencyMs = 0.15 * TTL;
    const t0 = performance.now();
    await advance(3 * TTL);
    const sent = a.link.renewals.filter((t) => t > t0);
    expect(sent.length).toBeGreaterThanOrEqual(5);
    const gaps = sent.slice(1).map((t, i) => t - sent[i]);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(TTL / 2);
    for (const gap of gaps) expect(gap).toBeLessThanOrEqual(TTL / 2 + 2); // not TTL/2 + the round's 150 ms
    expect(a.host.lost).toEqual([]); // never near the fencing point
    expect(a.host.hosted.has('s1')).toBe(true);
  });

  it('when a renewal hangs, it drops every session at 0.7·TTL — before the lease ends and another node may take it', async () => {
    await c.session('s1', 'a');
    await c.session('s2', 'a');
    const a = c.node('a');
    await a.start();
    await flush();
    expect([...a.host.hosted.keys()].sort()).toEqual(['s1', 's2']);
    a.link.mode = 'hang'; // the network is gone: the next renewal never answers
    const lastOk = a.link.renewals.at(-1)!;

    await advance(lastOk + 0.69 * TTL - performance.now());
    expect(a.host.lost).toEqual([]);
    expect(a.node.ownership.mayConnect('s1')).toBe(true);
    await advance(0.02 * TTL); // past 0.7·TTL: no (re)connect is allowed any more, watchdog or not
    expect(a.node.ownership.mayConnect('s1')).toBe(false);

    const lostAt = await stepUntil(() => a.host.lost.length === 2, TTL);
    expect(a.host.lost.map((l) => l.id).sort()).toEqual(['s1', 's2']);
    expect(lostAt - lastOk).toBeGreaterThan(0.7 * TTL);
    expect(lostAt - lastOk).toBeLessThanOrEqual(0.7 * TTL + WATCHDOG);
    // the hanging renewal would only time out at 1.5·TTL; the lease is still a's here, so nobody has taken the session yet
    expect((await c.leases.acquire('b', ['s1'], TTL)).size).toBe(0);
    await advance(lastOk + TTL + 1 - performance.now());
    expect((await c.leases.acquire('b', ['s1'], TTL)).get('s1')).toBe(2);
  });

  it('when renewals fail, it drops its sessions at 0.7·TTL, and takes them back (new epoch) once the database answers again', async () => {
    await c.session('s1', 'a');
    const a = c.node('a');
    await a.start();
    await flush();
    expect(a.host.hosted.get('s1')).toBe(1);
    a.link.mode = 'down';
    const lastOk = a.link.renewals.at(-1)!;

    const lostAt = await stepUntil(() => a.host.lost.length === 1, TTL);
    expect(lostAt - lastOk).toBeGreaterThan(0.7 * TTL);
    expect(lostAt - lastOk).toBeLessThanOrEqual(0.7 * TTL + WATCHDOG);
    expect(a.host.hosted.size).toBe(0);
    await advance(TTL);
    expect(a.host.hosted.size).toBe(0); // fenced: it takes nothing while it can't renew

    a.link.mode = 'up';
    await stepUntil(() => a.host.hosted.has('s1'), TTL);
    expect(a.host.hosted.get('s1')).toBe(2);
    expect(await c.leases.get('s1')).toMatchObject({ holder: 'a', epoch: 2 });
  });

  it('a lease another node holds now is noticed at the next renewal: that session alone is disconnected', async () => {
    await c.session('s1', 'a');
    await c.session('s2', 'a');
    const a = c.node('a');
    await a.start();
    await flush();
    expect(a.host.hosted.size).toBe(2);
    // s1's lease ends up with b (e.g. it lapsed while a was stalled and b took it)
    await c.leases.release('a', ['s1']);
    expect((await c.leases.acquire('b', ['s1'], 10 * TTL)).get('s1')).toBe(2);
    const since = performance.now();

    const lostAt = await stepUntil(() => a.host.lost.length > 0, TTL);
    expect(lostAt - since).toBeLessThanOrEqual(TTL / 2);
    expect(a.host.lost.map((l) => l.id)).toEqual(['s1']);
    expect([...a.host.hosted.keys()]).toEqual(['s2']);
    expect(a.node.ownership.mayConnect('s1')).toBe(false);
    expect(a.node.ownership.mayConnect('s2')).toBe(true);
    await advance(TTL);
    expect(a.host.hosted.has('s1')).toBe(false); // still assigned here, but b holds it: a waits
  });

  it('a cut-off leader loses leadership; another node takes over once its lease ends, and moves its sessions without hosting any twice', async () => {
    await c.session('s1', 'a', { status: 'open' });
    const a = c.node('a');
    const b = c.node('b');
    await a.start();
    await flush();
    await b.start();
    await flush();
    expect([a.node.isLeader, b.node.isLeader]).toEqual([true, false]);
    expect(a.host.hosted.get('s1')).toBe(1);

    a.link.mode = 'down';
    const lastOk = a.link.renewals.at(-1)!;
    let both = false;
    let aStillHosting = false;
    const leaderAt = await stepUntil(() => {
      both ||= a.node.isLeader && b.node.isLeader;
      return b.node.isLeader;
    }, 3 * TTL);
    expect(both).toBe(false);
    expect(a.node.isLeader).toBe(false);
    expect(leaderAt - lastOk).toBeGreaterThan(TTL); // not before a's leader lease ended …
    expect(leaderAt - lastOk).toBeLessThanOrEqual(TTL + 100 + 10); // … and at b's next tick after that

    // a is dead to the registry (no heartbeat for a TTL): the new leader moves s1 to b
    await stepUntil(() => {
      aStillHosting ||= b.host.hosted.has('s1') && a.host.hosted.has('s1');
      return b.host.hosted.has('s1');
    }, 3 * TTL);
    expect(aStillHosting).toBe(false);
    expect(b.host.hosted.get('s1')).toBe(2);
    expect(await c.nodeOf('s1')).toBe('b');
    // the row no longer says `open` for a connection nothing holds; why is in lastError
    expect(await c.repo.get('s1')).toMatchObject({ status: 'reconnecting', last_error: "node 'a' stopped answering; reconnecting on 'b'" });
  });

  it('leave() hands every session back at once: another node takes them without waiting for the leases to end', async () => {
    await c.session('s1', 'a');
    const a = c.node('a');
    const b = c.node('b');
    await a.start();
    await b.start();
    await flush();
    expect(a.host.hosted.has('s1')).toBe(true);
    await a.node.leave();
    const t = performance.now();
    const tookAt = await stepUntil(() => b.host.hosted.has('s1'), 3 * TTL);
    expect(tookAt - t).toBeLessThan(TTL / 2); // a tick or two, not a lease time
    expect(await c.leases.get('s1')).toMatchObject({ holder: 'b' });
  });
});

describe('coordinator: the moves per tick (KIRIM_REBALANCE_MOVES) are shared by drains and rebalancing', () => {
  let c: UnitCluster;
  beforeEach(async () => {
    c = await UnitCluster.create();
  });
  afterEach(() => c.close());

  /** Nodes d (draining, `draining` sessions), a (active, `onA` sessions) and an empty active node b, all alive. */
  async function layout(draining: number, onA: number) {
    for (const id of ['a', 'b', 'd']) await c.registry.register({ id, url: null, region: null, labels: {}, capacity: 100 });
    await c.registry.setStatus('d', 'draining');
    for (let i = 0; i < draining; i++) await c.session(`d${i}`, 'd', { status: 'open' });
    for (let i = 0; i < onA; i++) await c.session(`a${i}`, 'a', { status: 'open' });
  }
  const coordinator = (movesPerTick: number) =>
    new Coordinator({ db: c.registry, repo: c.repo, signals: noSignals, logger: silentLogger, options: { nodeId: 'a', leaseTtlMs: 10_000, movesPerTick } });
  const counts = async () => Object.fromEntries([...(await c.registry.assignedCounts())].sort());

  it('a drain takes its share first; rebalancing gets what is left', async () => {
    await layout(2, 8);
    await coordinator(3).tick();
    expect(await counts()).toEqual({ a: 7, b: 3 }); // d → b twice, then one a → b
    // a live node's sessions keep their status while moving: the old node is still connected
    // and says `reconnecting` itself when it hands them over
    const moved = (await c.repo.listAssigned('b')).map((r) => [r.status, r.last_error]);
    expect(moved).toEqual([['open', null], ['open', null], ['open', null]]);
  });

  it('a drain can use the whole budget; nothing rebalances in that tick', async () => {
    await layout(4, 8);
    const co = coordinator(3);
    await co.tick();
    expect(await counts()).toEqual({ a: 8, b: 3, d: 1 });
    await co.tick();
    expect(await counts()).toEqual({ a: 6, b: 6 }); // the last drained one, then two rebalancing moves
  });

  it('a dead node’s open sessions read `reconnecting`, with why, once moved — in the row and on the stream', async () => {
    await c.registry.register({ id: 'a', url: null, region: null, labels: {}, capacity: 100 });
    await c.session('s-open', 'gone', { status: 'open', phone: '628123' });
    await c.session('s-qr', 'gone', { status: 'qr' });
    const published: unknown[] = [];
    const co = new Coordinator({ db: c.registry, repo: c.repo, signals: noSignals, events: { publish: (e) => published.push(e) }, logger: silentLogger, options: { nodeId: 'a', leaseTtlMs: 10_000, movesPerTick: 3 } });
    await co.tick();
    const reason = "node 'gone' stopped answering; reconnecting on 'a'";
    expect(await c.repo.get('s-open')).toMatchObject({ node_id: 'a', status: 'reconnecting', last_error: reason });
    expect(await c.repo.get('s-qr')).toMatchObject({ node_id: 'a', status: 'qr', last_error: reason });
    expect(published).toEqual([expect.objectContaining({ type: 'session.status', sessionId: 's-open', workspaceId: 'w', data: { status: 'reconnecting', phone: '628123', reason } })]);
  });

  it('with rebalancing off (0), nothing rebalances, but a drain still moves one session per tick', async () => {
    await layout(2, 8);
    const co = coordinator(0);
    await co.tick();
    expect(await counts()).toEqual({ a: 8, b: 1, d: 1 });
    await co.tick();
    await co.tick();
    expect(await counts()).toEqual({ a: 8, b: 2 });
  });
});
