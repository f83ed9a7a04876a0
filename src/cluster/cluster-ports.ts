import type { RestoreProgress, SessionRepo, SessionRow } from '../sessions/index.js';
import type { NodeRecord } from './node-registry.js';

/**
 * The narrow views the cluster logic depends on, so unit tests can drive it with in-memory
 * stand-ins and a fake clock (memory-cluster-db.ts, memory-lease-store.ts). In production they
 * are node-registry.ts and the session repo on PostgreSQL, and the SessionService.
 */

/** The `nodes` table (node-registry.ts). */
export interface NodeRegistryPort {
  register(n: { id: string; url: string | null; region: string | null; labels: Record<string, string>; capacity: number }): Promise<void>;
  heartbeat(id: string, url: string | null, sessions: number): Promise<void>;
  setStatus(id: string, status: NodeRecord['status']): Promise<boolean>;
  /** Every known node, `alive` when it heartbeated within `aliveWithinMs` (by the database's clock). */
  list(aliveWithinMs: number): Promise<Array<NodeRecord & { alive: boolean }>>;
  /** Sessions that should run, per assigned node. */
  assignedCounts(): Promise<Map<string, number>>;
  prune(olderThanMs: number): Promise<void>;
}

/** The cluster's queries on the sessions table (session-repo.ts). */
export type ClusterSessionRepo = Pick<SessionRepo, 'listAssigned' | 'getMany' | 'unassignNode' | 'listOrphans' | 'reassign' | 'listOnNodes'>;

/** The sessions this node runs (the SessionService), as the reconciler drives them. */
export interface HostedSessions {
  hostedIds(): string[];
  host(rows: Array<{ row: SessionRow; epoch: number }>, onProgress?: (p: RestoreProgress) => void): Promise<unknown>;
  handOver(id: string, to: string | null): Promise<void>;
  leaseLost(id: string): Promise<void>;
  shutdown(): Promise<void>;
}
