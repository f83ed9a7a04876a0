import type { SessionRow } from './session-repo.js';

/**
 * Who runs which session. On the embedded default this node runs every session and needs no
 * lease; in a cluster (src/cluster) placement picks a node and a lease with a fencing epoch makes
 * sure one node at a time connects a session.
 */
export interface SessionOwnership {
  readonly nodeId: string;
  /** Whether the cluster layer owns `sessions.node_id` (the runtime then never writes it). */
  readonly clustered: boolean;
  /** The node a session that should run goes to (this one, another, or null when none has room). */
  place(row: SessionRow): Promise<string | null>;
  /** Before this node connects a session: its lease; the fencing epoch, or null if another node holds it. */
  acquire(sessionId: string): Promise<number | null>;
  /** This node stopped hosting a session: give its lease back at once. */
  release(sessionId: string): Promise<void>;
  /**
   * Asked (in memory, cheaply) before every connect and reconnect of a hosted session: whether
   * this node's lease on it is still fresh. False once renewals have stalled — never redial then.
   */
  mayConnect(sessionId: string): boolean;
  /** Ask a node to look at its assignments now (no-op for this node or without a signal channel). */
  notify(nodeId: string): void;
}

/** The embedded default: one node, no leases. */
export function localOwnership(nodeId: string): SessionOwnership {
  return {
    nodeId,
    clustered: false,
    place: async () => nodeId,
    acquire: async () => 0,
    release: async () => {},
    mayConnect: () => true,
    notify: () => {},
  };
}
