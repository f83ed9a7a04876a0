import { vi } from 'vitest';
import { connectDatabase, migrate, type Db } from '../../db/index.js';
import { silentLogger } from '../../core/logger.js';
import { SessionRepo, type SessionRow } from '../../sessions/index.js';
import type { SessionOwnership } from '../../sessions/ownership.js';
import { ClusterNode, type ClusterNodeOptions } from '../cluster-node.js';
import type { HostedSessions } from '../cluster-ports.js';
import type { Lease, LeaseStore } from '../lease-store.js';
import { MemoryLeaseStore } from '../memory-lease-store.js';
import { MemoryNodeRegistry } from '../memory-node-registry.js';
import { noSignals } from '../redis-signals.js';

/**
 * Unit-test harness for the cluster logic: vitest's fake timers drive `setTimeout`,
 * `setInterval`, `Date` and `performance`, the leases and the node registry live in memory on
 * that clock, and the sessions table is the real repo on in-memory SQLite (synchronous, so no
 * real time passes). Call `useClusterClock()` before building nodes; `vi.useRealTimers()` after.
 */
export function useClusterClock(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
}

/** Lets pending promise chains finish without moving the fake clock. */
export const flush = () => new Promise<void>((r) => setImmediate(r));

/** Moves the fake clock, running due timers in order. */
export const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

/** Steps the fake clock until `cond` holds; returns `performance.now()` at that moment. */
export async function stepUntil(cond: () => boolean, limitMs: number, stepMs = 10): Promise<number> {
  const end = performance.now() + limitMs;
  await flush();
  while (!cond()) {
    if (performance.now() >= end) throw new Error(`condition not met within ${limitMs} ms of fake time`);
    await advance(stepMs);
  }
  return performance.now();
}

/** One node's connection to the shared lease table: up, refusing (`down`), or never answering (`hang`). */
export class LeaseLink implements LeaseStore {
  mode: 'up' | 'down' | 'hang' = 'up';
  /** How long each call takes (a slow database). */
  latencyMs = 0;
  /** When each renewal that succeeded was sent (performance.now()). */
  readonly renewals: number[] = [];
  constructor(private readonly inner: LeaseStore) {}

  private async call<T>(f: () => Promise<T>): Promise<T> {
    if (this.mode === 'down') throw new Error('connection refused');
    if (this.mode === 'hang') return new Promise<T>(() => {});
    if (this.latencyMs) await new Promise((r) => setTimeout(r, this.latencyMs));
    return f();
  }
  acquire(holder: string, keys: string[], ttlMs: number): Promise<Map<string, number>> {
    return this.call(() => this.inner.acquire(holder, keys, ttlMs));
  }
  renew(holder: string, ttlMs: number): Promise<Set<string>> {
    const at = performance.now();
    return this.call(async () => {
      const held = await this.inner.renew(holder, ttlMs);
      this.renewals.push(at);
      return held;
    });
  }
  release(holder: string, keys: string[]): Promise<void> {
    return this.call(() => this.inner.release(holder, keys));
  }
  holds(holder: string, key: string, epoch: number): Promise<boolean> {
    return this.call(() => this.inner.holds(holder, key, epoch));
  }
  get(key: string): Promise<Lease | null> {
    return this.call(() => this.inner.get(key));
  }
  now(): Promise<number> {
    return this.call(() => this.inner.now());
  }
}

/** What a node hosts, without connections: records hand-overs and lost leases (with the fake time). */
export class FakeHost implements HostedSessions {
  readonly hosted = new Map<string, number>();
  readonly lost: Array<{ id: string; at: number }> = [];
  readonly handedOver: string[] = [];
  constructor(private readonly ownership: () => SessionOwnership) {}

  hostedIds(): string[] {
    return [...this.hosted.keys()];
  }
  async host(rows: Array<{ row: SessionRow; epoch: number }>): Promise<void> {
    for (const { row, epoch } of rows) this.hosted.set(row.id, epoch);
  }
  async handOver(id: string): Promise<void> {
    this.hosted.delete(id);
    this.handedOver.push(id);
    await this.ownership().release(id);
  }
  async leaseLost(id: string): Promise<void> {
    this.hosted.delete(id);
    this.lost.push({ id, at: performance.now() });
  }
  async shutdown(): Promise<void> {
    const ids = this.hostedIds();
    this.hosted.clear();
    await Promise.all(ids.map((id) => this.ownership().release(id)));
  }
}

export interface TestClusterNode {
  id: string;
  node: ClusterNode;
  link: LeaseLink;
  host: FakeHost;
  start(): Promise<void>;
}

/** A little cluster in one process: shared leases, registry and sessions table; one LeaseLink per node. */
export class UnitCluster {
  readonly leases = new MemoryLeaseStore({ now: () => Date.now() });
  readonly repo: SessionRepo;
  readonly registry: MemoryNodeRegistry;
  readonly ttlMs: number;

  private constructor(
    readonly db: Db,
    readonly defaults: Partial<ClusterNodeOptions>,
  ) {
    this.repo = new SessionRepo(db.db);
    this.ttlMs = defaults.leaseTtlMs ?? 1000;
    this.registry = new MemoryNodeRegistry({ now: () => Date.now() }, async () => {
      const counts = new Map<string, number>();
      for (const r of await this.repo.listDesiredRunning()) if (r.node_id) counts.set(r.node_id, (counts.get(r.node_id) ?? 0) + 1);
      return counts;
    });
  }

  /** Builds the sessions table; call before `useClusterClock()` or after, it needs no timers. */
  static async create(defaults: Partial<ClusterNodeOptions> = {}): Promise<UnitCluster> {
    const db = connectDatabase({ sqlitePath: ':memory:' });
    await migrate(db);
    await db.db.insertInto('workspaces').values({ id: 'w', name: 'w', created_at: 1 }).execute();
    return new UnitCluster(db, defaults);
  }

  node(id: string, opts: Partial<ClusterNodeOptions> = {}, sessions?: HostedSessions): TestClusterNode {
    const link = new LeaseLink(this.leases);
    const node = new ClusterNode({
      leases: link,
      registry: this.registry,
      repo: this.repo,
      signals: noSignals,
      logger: silentLogger,
      options: { nodeId: id, url: () => `http://${id}.test`, region: null, labels: {}, capacity: 100, leaseTtlMs: this.ttlMs, tickMs: 100, movesPerTick: 3, ...this.defaults, ...opts },
    });
    const host = new FakeHost(() => node.ownership);
    return { id, node, link, host, start: () => node.start(sessions ?? host) };
  }

  /** A session that should run, assigned to `nodeId` (null: not placed yet). */
  async session(id: string, nodeId: string | null, extra: Partial<SessionRow> = {}): Promise<SessionRow> {
    const now = Date.now();
    const row: SessionRow = {
      id,
      workspace_id: 'w',
      name: id,
      desired: 'running',
      status: 'reconnecting',
      phone: null,
      jid: null,
      lid: null,
      push_name: null,
      node_id: nodeId,
      region: null,
      labels: null,
      last_error: null,
      created_at: now,
      updated_at: now,
      ...extra,
    };
    await this.repo.insert(row);
    return row;
  }

  async nodeOf(id: string): Promise<string | null | undefined> {
    return (await this.repo.get(id))?.node_id;
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
