import { type EventBus, makeEvent } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { SessionRow } from '../sessions/index.js';
import type { ClusterSessionRepo, NodeRegistryPort } from './cluster-ports.js';
import { chooseNode, type Movable, type NodeLoad, planRebalance, type PlacementNeeds } from './placement.js';
import type { ClusterSignals } from './redis-signals.js';

export interface CoordinatorDeps {
  db: Pick<NodeRegistryPort, 'list' | 'assignedCounts' | 'prune'>;
  repo: Pick<ClusterSessionRepo, 'listOrphans' | 'reassign' | 'listOnNodes'>;
  signals: ClusterSignals;
  /** Hears a dead node's open sessions turn `reconnecting` (no node will say it otherwise). */
  events?: Pick<EventBus, 'publish'>;
  logger: Logger;
  options: { nodeId: string; leaseTtlMs: number; movesPerTick: number };
}

const needsOf = (row: Pick<SessionRow, 'region' | 'labels'>): PlacementNeeds => ({
  region: row.region,
  labels: row.labels ? (JSON.parse(row.labels) as Record<string, string>) : null,
});

const DAY = 24 * 3600_000;

/**
 * The leader's work, once per tick: give orphaned sessions (never placed, or on a dead node) a
 * live node; move sessions off draining nodes; even out the load a few moves at a time. Every
 * change is one conditional UPDATE of `sessions.node_id`, so a stale leader can't undo a newer
 * decision; the nodes involved are nudged to act at once.
 */
export class Coordinator {
  private ticks = 0;

  constructor(private readonly deps: CoordinatorDeps) {}

  /** Where a new or restarted session should run now (any node may ask). */
  async place(row: SessionRow): Promise<string | null> {
    const loads = await this.loads();
    return chooseNode(loads, needsOf(row))?.id ?? null;
  }

  async tick(): Promise<void> {
    const nodes = await this.deps.db.list(this.deps.options.leaseTtlMs);
    const alive = nodes.filter((n) => n.alive).map((n) => n.id);
    const loads = await this.loads(nodes);

    // 1. orphans: never placed, or their node is dead (its leases have expired by then)
    for (const row of await this.deps.repo.listOrphans(alive)) {
      const to = chooseNode(loads, needsOf(row));
      if (!to) continue;
      const down = row.node_id ? `node '${row.node_id}' stopped answering; reconnecting on '${to.id}'` : undefined;
      if (await this.deps.repo.reassign(row.id, row.node_id, to.id, down)) {
        to.assigned++;
        if (down && row.status === 'open') {
          this.deps.events?.publish(makeEvent('session.status', row.workspace_id, row.id, { status: 'reconnecting', phone: row.phone, reason: down }));
        }
        this.deps.logger.info({ sessionId: row.id, from: row.node_id, to: to.id }, row.node_id ? 'moving a session off a dead node' : 'placing a session');
        this.deps.signals.notify(to.id);
      }
    }

    // 2. draining nodes give their sessions away, a few per tick; the moves per tick are shared
    //    with rebalancing, drains first — and a drain moves at least one (it was asked for), even
    //    when rebalancing is off (KIRIM_REBALANCE_MOVES=0)
    const movesPerTick = this.deps.options.movesPerTick;
    let budget = Math.max(1, movesPerTick);
    const draining = loads.filter((l) => l.status === 'draining' && l.assigned > 0).map((l) => l.id);
    for (const row of draining.length && budget ? await this.deps.repo.listOnNodes(draining, budget) : []) {
      const to = chooseNode(loads, needsOf(row));
      if (!to || !(await this.move(row, to.id))) continue;
      to.assigned++;
      loads.find((l) => l.id === row.node_id)!.assigned--;
      budget--;
    }

    // 3. rebalance the active nodes (a node joined, or some sessions ended): look only at the
    //    fullest nodes' sessions, and only when the spread is worth a move
    budget = Math.min(budget, movesPerTick);
    const active = loads.filter((l) => l.status === 'active');
    if (budget > 0 && active.length > 1) {
      const share = (l: NodeLoad) => l.assigned / l.capacity;
      const fullest = [...active].sort((a, b) => share(b) - share(a)).slice(0, Math.max(1, Math.ceil(active.length / 2)));
      const rows = await this.deps.repo.listOnNodes(fullest.map((l) => l.id), budget * 4);
      const movable: Movable[] = rows.map((r) => ({ id: r.id, nodeId: r.node_id!, needs: needsOf(r) }));
      for (const m of planRebalance(loads, movable, budget)) {
        const row = rows.find((r) => r.id === m.sessionId)!;
        await this.move(row, m.to);
      }
    }

    if (++this.ticks % 600 === 0) await this.deps.db.prune(DAY);
  }

  private async move(row: SessionRow, to: string): Promise<boolean> {
    if (!(await this.deps.repo.reassign(row.id, row.node_id, to))) return false;
    this.deps.logger.info({ sessionId: row.id, from: row.node_id, to }, 'moving a session');
    if (row.node_id) this.deps.signals.notify(row.node_id);
    this.deps.signals.notify(to);
    return true;
  }

  private async loads(nodes?: Awaited<ReturnType<NodeRegistryPort['list']>>): Promise<NodeLoad[]> {
    const list = nodes ?? (await this.deps.db.list(this.deps.options.leaseTtlMs));
    const counts = await this.deps.db.assignedCounts();
    return list
      .filter((n) => n.alive && (n.status === 'active' || n.status === 'draining'))
      .map((n) => ({ id: n.id, region: n.region, labels: n.labels, capacity: n.capacity, assigned: counts.get(n.id) ?? 0, status: n.status as 'active' | 'draining' }));
  }
}
