import type { Clock } from '../core/clock.js';
import type { NodeRegistryPort } from './cluster-ports.js';
import type { NodeRecord } from './node-registry.js';

/**
 * The node registry in memory, for unit tests of the cluster logic with a fake clock (like
 * memory-lease-store.ts). `assignedCounts` comes from the sessions table the test uses.
 */
export class MemoryNodeRegistry implements NodeRegistryPort {
  private readonly nodes = new Map<string, NodeRecord>();

  constructor(
    private readonly clock: Clock,
    private readonly counts: () => Promise<Map<string, number>>,
  ) {}

  async register(n: { id: string; url: string | null; region: string | null; labels: Record<string, string>; capacity: number }): Promise<void> {
    const now = this.clock.now();
    this.nodes.set(n.id, { ...n, labels: { ...n.labels }, status: 'active', sessions: 0, startedAt: now, heartbeatAt: now });
  }

  async heartbeat(id: string, url: string | null, sessions: number): Promise<void> {
    const n = this.nodes.get(id);
    if (n) Object.assign(n, { heartbeatAt: this.clock.now(), sessions, url: url ?? n.url });
  }

  async setStatus(id: string, status: NodeRecord['status']): Promise<boolean> {
    const n = this.nodes.get(id);
    if (n) n.status = status;
    return !!n;
  }

  async list(aliveWithinMs: number): Promise<Array<NodeRecord & { alive: boolean }>> {
    const now = this.clock.now();
    return [...this.nodes.values()]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((n) => ({ ...n, labels: { ...n.labels }, alive: n.heartbeatAt >= now - aliveWithinMs && n.status !== 'left' }));
  }

  assignedCounts(): Promise<Map<string, number>> {
    return this.counts();
  }

  async prune(olderThanMs: number): Promise<void> {
    const now = this.clock.now();
    for (const [id, n] of this.nodes) if (n.heartbeatAt < now - olderThanMs) this.nodes.delete(id);
  }
}
