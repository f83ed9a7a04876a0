import { AppError, notFound } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { SessionOwnership } from '../sessions/ownership.js';
import type { RestoreProgress, SessionRow } from '../sessions/index.js';
import type { ClusterSessionRepo, HostedSessions, NodeRegistryPort } from './cluster-ports.js';
import type { LeaseStore } from './lease-store.js';
import type { NodeDirectory, NodeView } from './node-directory.js';
import { toNodeView } from './node-registry.js';
import { Coordinator } from './coordinator.js';
import type { ClusterSignals } from './redis-signals.js';

export interface ClusterNodeOptions {
  nodeId: string;
  url: () => string | null;
  region: string | null;
  labels: Record<string, string>;
  capacity: number;
  /** Lease time to live; leases renew at half of it. */
  leaseTtlMs: number;
  /** How often assignments are reconciled and the leader coordinates (wake-ups come sooner). */
  tickMs: number;
  /** Sessions moved at most per tick when rebalancing or draining. */
  movesPerTick: number;
}

export interface ClusterNodeDeps {
  leases: LeaseStore;
  registry: NodeRegistryPort;
  repo: ClusterSessionRepo;
  signals: ClusterSignals;
  events?: Pick<EventBus, 'publish'>;
  logger: Logger;
  options: ClusterNodeOptions;
}

export interface OwnerRoute {
  nodeId: string;
  url: string | null;
  alive: boolean;
}

const LEADER = 'leader';
/** Share of the lease TTL after the last successful renewal at which a node drops its sessions. */
const FENCE_AT = 0.7;

/**
 * This node's part in the cluster: it registers and heartbeats, keeps its leases (renewed at
 * TTL/2; when it can't renew in time it drops every session at once, before anyone can take
 * them), connects the sessions assigned to it, hands over the ones moved away, and — when it
 * holds the leader lease — places orphans, drains and rebalances (coordinator.ts).
 */
export class ClusterNode implements NodeDirectory {
  private sessions?: HostedSessions;
  private readonly log: Logger;
  private readonly o: ClusterNodeOptions;
  private keeperTimer?: NodeJS.Timeout;
  private watchdog?: NodeJS.Timeout;
  private tickTimer?: NodeJS.Timeout;
  private lastRenewOk = performance.now();
  /** Session leases this node held at the last renewal, plus those taken since. */
  private readonly held = new Set<string>();
  private readonly takenSince = new Set<string>();
  private fenced = false;
  private leader = false;
  private stopped = false;
  private reconciling = false;
  private again = false;
  /** Sessions whose lease is taken and whose runtime is being started. */
  private readonly starting = new Set<string>();
  private readonly coordinator: Coordinator;
  private onProgress?: (p: RestoreProgress) => void;

  constructor(private readonly deps: ClusterNodeDeps) {
    this.o = deps.options;
    this.log = deps.logger.child({ component: 'cluster', node: this.o.nodeId });
    this.coordinator = new Coordinator({ db: deps.registry, repo: deps.repo, signals: deps.signals, events: deps.events, logger: this.log, options: this.o });
  }

  /** What the session service uses to place sessions and take leases. */
  get ownership(): SessionOwnership {
    return {
      nodeId: this.o.nodeId,
      clustered: true,
      place: (row) => this.coordinator.place(row),
      acquire: async (id) => {
        const epoch = (await this.deps.leases.acquire(this.o.nodeId, [id], this.o.leaseTtlMs)).get(id) ?? null;
        if (epoch !== null) this.took(id);
        return epoch;
      },
      release: async (id) => {
        this.held.delete(id);
        await this.deps.leases.release(this.o.nodeId, [id]);
      },
      mayConnect: (id) => this.leaseFresh(id),
      notify: (nodeId) => this.deps.signals.notify(nodeId),
    };
  }

  private took(id: string): void {
    this.held.add(id);
    this.takenSince.add(id);
  }

  /**
   * In memory, no database call: this node held the session's lease at its last renewal (or took
   * it since) and that renewal is recent enough that the lease can't have ended — the same bound
   * the watchdog fences at. Reconnects ask this before dialling, so a node whose renewals stalled
   * (or whose process was frozen past its leases) never redials a session another node may own.
   */
  private leaseFresh(id: string): boolean {
    return !this.fenced && !this.stopped && this.held.has(id) && performance.now() - this.lastRenewOk <= this.o.leaseTtlMs * FENCE_AT;
  }

  get isLeader(): boolean {
    return this.leader;
  }

  /** Joins the cluster; `onProgress` hears how batches of sessions taken by this node come up. */
  async start(sessions: HostedSessions, onProgress?: (p: RestoreProgress) => void): Promise<void> {
    this.sessions = sessions;
    this.onProgress = onProgress;
    await this.deps.registry.register({ id: this.o.nodeId, url: this.o.url(), region: this.o.region, labels: this.o.labels, capacity: this.o.capacity });
    this.deps.signals.onWake(() => this.kick());
    await this.keep();
    this.scheduleKeeper(this.o.leaseTtlMs / 2);
    // independent of the renewals themselves, which may hang on a dead network
    this.watchdog = setInterval(() => {
      if (!this.fenced && !this.stopped && performance.now() - this.lastRenewOk > this.o.leaseTtlMs * FENCE_AT) void this.selfFence();
    }, Math.max(50, Math.min(250, this.o.leaseTtlMs / 20)));
    this.watchdog.unref?.();
    this.scheduleTick();
    this.kick();
    this.log.info({ ttlMs: this.o.leaseTtlMs }, 'joined the cluster');
  }

  /** Graceful leave: its sessions go to the other nodes at once (no waiting for lease expiry). */
  async leave(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.keeperTimer);
    clearTimeout(this.tickTimer);
    clearInterval(this.watchdog);
    try {
      await this.deps.registry.setStatus(this.o.nodeId, 'left');
      await this.deps.repo.unassignNode(this.o.nodeId);
    } catch (err) {
      this.log.warn({ err }, 'could not hand this node’s sessions back before leaving; they move when its leases expire');
    }
    await this.sessions?.shutdown(); // closes, writes state, releases every session lease
    await this.deps.leases.release(this.o.nodeId, [LEADER]).catch(() => undefined);
    this.deps.signals.notify('*');
  }

  // ——— NodeDirectory ———

  async list(): Promise<NodeView[]> {
    const nodes = await this.deps.registry.list(this.o.leaseTtlMs);
    return nodes.filter((n) => n.status !== 'left' || n.alive).map(toNodeView);
  }

  async drain(id: string): Promise<NodeView> {
    const nodes = await this.deps.registry.list(this.o.leaseTtlMs);
    const target = nodes.find((n) => n.id === id);
    if (!target) throw notFound('node', id, 'node_not_found');
    if (!target.alive) throw new AppError('conflict', `node '${id}' is not alive: its sessions move to other nodes by themselves when its leases expire`);
    if (!nodes.some((n) => n.id !== id && n.alive && n.status === 'active')) {
      throw new AppError('conflict', `no other active node to move the sessions of '${id}' to`);
    }
    await this.deps.registry.setStatus(id, 'draining');
    this.deps.signals.notify('*');
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && ((await this.deps.registry.assignedCounts()).get(id) ?? 0) > 0) {
      await new Promise((r) => setTimeout(r, 250));
    }
    const after = (await this.deps.registry.list(this.o.leaseTtlMs)).find((n) => n.id === id)!;
    return { ...toNodeView(after), sessions: (await this.deps.registry.assignedCounts()).get(id) ?? 0 };
  }

  /** Which node answers for a session (API forwarding). Null when it runs nowhere. */
  async ownerOf(row: SessionRow): Promise<OwnerRoute | null> {
    if (!row.node_id) return null;
    if (row.node_id === this.o.nodeId) return { nodeId: row.node_id, url: this.o.url(), alive: true };
    const node = (await this.deps.registry.list(this.o.leaseTtlMs)).find((n) => n.id === row.node_id);
    return { nodeId: row.node_id, url: node?.url ?? null, alive: !!node?.alive };
  }

  // ——— leases and heartbeat ———

  private scheduleKeeper(ms: number): void {
    if (this.stopped) return;
    this.keeperTimer = setTimeout(async () => {
      // a steady cadence from when each renewal was sent, however long the round took (a slow
      // database must not stretch the gap between renewals towards the fencing point)
      const sentAt = performance.now();
      const ok = await this.keep();
      const next = ok ? this.o.leaseTtlMs / 2 : Math.min(500, this.o.leaseTtlMs / 6);
      this.scheduleKeeper(Math.max(0, next - (performance.now() - sentAt)));
    }, ms);
    this.keeperTimer.unref?.();
  }

  private async keep(): Promise<boolean> {
    const sessions = this.sessions!;
    try {
      // the lease runs from when the renewal was sent, not from when its answer came back
      const sentAt = performance.now();
      this.takenSince.clear();
      const held = await withTimeout(this.deps.leases.renew(this.o.nodeId, this.o.leaseTtlMs), this.o.leaseTtlMs, 'lease renewal');
      // forget the leases the renewal didn't find, unless taken while it was in flight
      for (const k of this.held) if (!held.has(k) && !this.takenSince.has(k)) this.held.delete(k);
      this.lastRenewOk = sentAt;
      await this.deps.registry.heartbeat(this.o.nodeId, this.o.url(), sessions.hostedIds().length);
      if (this.fenced) {
        this.fenced = false;
        this.log.warn('database reachable again: taking sessions back as they are assigned');
        this.kick();
      }
      for (const id of sessions.hostedIds()) {
        if (!held.has(id) && !this.starting.has(id) && !this.takenSince.has(id)) {
          this.log.warn({ sessionId: id }, 'lease lost: another node holds this session now; disconnecting');
          await sessions.leaseLost(id);
        }
      }
      // leftovers (e.g. from before a restart) that nothing here runs: give them back
      const hosted = new Set(sessions.hostedIds());
      const stray = [...held].filter((k) => k !== LEADER && !hosted.has(k) && !this.starting.has(k));
      if (stray.length) {
        for (const k of stray) this.held.delete(k);
        await this.deps.leases.release(this.o.nodeId, stray);
      }
      this.leader = held.has(LEADER) || (await this.deps.leases.acquire(this.o.nodeId, [LEADER], this.o.leaseTtlMs)).has(LEADER);
      return true;
    } catch (err) {
      const since = performance.now() - this.lastRenewOk;
      this.log.warn({ err: (err as Error).message, sinceLastRenewMs: Math.round(since) }, 'could not renew leases');
      if (!this.fenced && since > this.o.leaseTtlMs * FENCE_AT) await this.selfFence();
      return false;
    }
  }

  /** Can't prove we still own anything: drop every session now, before another node may take it. */
  private async selfFence(): Promise<void> {
    this.fenced = true;
    this.leader = false;
    this.held.clear();
    const ids = this.sessions!.hostedIds();
    this.log.error({ sessions: ids.length }, 'lost the database: disconnecting every session so no number is ever connected twice');
    await Promise.all(ids.map((id) => this.sessions!.leaseLost(id)));
  }

  // ——— reconcile and coordinate ———

  private scheduleTick(): void {
    if (this.stopped) return;
    this.tickTimer = setTimeout(() => {
      this.kick();
      this.scheduleTick();
    }, this.o.tickMs);
    this.tickTimer.unref?.();
  }

  /** Runs a reconcile (and a coordination round when leader) now, or right after the current one. */
  kick(): void {
    if (this.stopped || this.fenced) return;
    if (this.reconciling) {
      this.again = true;
      return;
    }
    this.reconciling = true;
    void (async () => {
      try {
        do {
          this.again = false;
          // a dead leader's lease is taken over at the next tick, not the next renewal round
          if (!this.leader) this.leader = (await this.deps.leases.acquire(this.o.nodeId, [LEADER], this.o.leaseTtlMs)).has(LEADER);
          if (this.leader) await this.coordinator.tick();
          await this.reconcile();
        } while (this.again && !this.stopped);
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'reconcile failed; retrying next tick');
      } finally {
        this.reconciling = false;
      }
    })();
  }

  private async reconcile(): Promise<void> {
    const sessions = this.sessions!;
    const assigned = await this.deps.repo.listAssigned(this.o.nodeId);
    const mine = new Set(assigned.map((r) => r.id));
    const hosted = new Set(sessions.hostedIds());

    // a lease this node already holds belongs to a session being started by an API call (or
    // one whose runtime just went, released at the next renewal): taking it again would bump the
    // epoch under a runtime that is using it
    const toStart = assigned.filter((r) => !hosted.has(r.id) && !this.starting.has(r.id) && !this.held.has(r.id));
    if (toStart.length) {
      const epochs = await this.deps.leases.acquire(this.o.nodeId, toStart.map((r) => r.id), this.o.leaseTtlMs);
      const rows = toStart.filter((r) => epochs.has(r.id)).map((row) => ({ row, epoch: epochs.get(row.id)! }));
      if (rows.length) {
        for (const { row } of rows) {
          this.starting.add(row.id);
          this.took(row.id);
        }
        this.log.info({ count: rows.length, waiting: toStart.length - rows.length }, 'taking sessions');
        void sessions
          .host(rows, this.onProgress)
          .catch((err) => this.log.error({ err }, 'starting sessions failed'))
          .finally(() => {
            for (const { row } of rows) this.starting.delete(row.id);
          });
      }
    }

    const leaving = [...hosted].filter((id) => !mine.has(id));
    if (leaving.length) {
      const rows = new Map((await this.deps.repo.getMany(leaving)).map((r) => [r.id, r]));
      for (const id of leaving) {
        const row = rows.get(id);
        if (row && row.desired === 'running' && row.node_id === null) continue; // being placed: keep it until it has a new home
        this.log.info({ sessionId: id, to: row?.node_id ?? null }, 'handing over a session');
        await sessions.handOver(id, row?.node_id ?? null);
      }
    }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${Math.round(ms)} ms`)), ms);
    }),
  ]);
}
