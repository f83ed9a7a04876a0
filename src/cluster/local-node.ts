import { AppError, notFound } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import type { NodeDirectory, NodeView } from './node-directory.js';

/** The embedded default: this process is the only node. */
export function localNodeDirectory(opts: {
  id: string;
  /** Where other nodes and users reach this one (known once listening). */
  url: () => string | null;
  region: string | null;
  capacity: number;
  clock: Clock;
  countSessions(): number;
}): NodeDirectory {
  const view = (): NodeView => ({
    id: opts.id,
    url: opts.url(),
    region: opts.region,
    status: 'active',
    sessions: opts.countSessions(),
    capacity: opts.capacity,
    lastHeartbeat: new Date(opts.clock.now()).toISOString(),
  });
  return {
    async list() {
      return [view()];
    },
    async drain(id) {
      if (id !== opts.id) throw notFound('node', id, 'node_not_found');
      throw new AppError('conflict', 'this is the only node: there is no other node to move its sessions to (cluster mode needs DATABASE_URL)');
    },
  };
}
