import type { Config } from '../config/index.js';
import type { EventBus } from '../core/events.js';
import { LocalEventBus } from '../core/local-event-bus.js';
import type { Logger } from '../core/logger.js';
import type { Db } from '../db/index.js';
import type { SessionRepo } from '../sessions/index.js';
import type { StateStore } from '../state-store/index.js';
import type { SessionRouter } from '../api/forwarding.js';
import { ClusterNode } from './cluster-node.js';
import { FencedStateStore } from './fenced-state-store.js';
import { NodeRegistry } from './node-registry.js';
import { PgLeaseStore } from './pg-lease-store.js';
import { RedisEventBus } from './redis-event-bus.js';
import { type ClusterSignals, noSignals, redisSignals } from './redis-signals.js';

export interface ClusterParts {
  node: ClusterNode;
  router: SessionRouter;
  /** The store to use: deletes checked against the lease table, and writes too when the store can't check epochs itself. */
  fence(store: StateStore): StateStore;
  /** Cross-node announcements (e.g. the webhook list changed). */
  signals: ClusterSignals;
  close(): Promise<void>;
}

/** The event bus: Redis fan-out when REDIS_URL is set, else in-process. */
export async function createEventBus(config: Readonly<Config>, nodeId: string, logger: Logger): Promise<EventBus> {
  if (!config.redisUrl) return new LocalEventBus(logger);
  return RedisEventBus.connect({ url: config.redisUrl, nodeId, logger: logger.child({ component: 'events' }), channel: `${config.clusterName}:events` });
}

/** Cluster mode (DATABASE_URL on PostgreSQL): leases, the node registry, placement and routing. */
export async function setupCluster(opts: {
  config: Readonly<Config>;
  db: Db;
  repo: SessionRepo;
  nodeId: string;
  url: () => string;
  events: EventBus;
  logger: Logger;
}): Promise<ClusterParts> {
  const { config, db, repo, nodeId, logger, events } = opts;
  if (config.stateStore.kind === 'fs') {
    logger.warn('cluster mode with KIRIM_STATE_STORE=fs: session state stays on this node’s disk, so its sessions cannot move to other nodes; use db or s3://…');
  }
  if (!config.redisUrl) {
    logger.warn('cluster mode without REDIS_URL: SSE streams show only this node’s sessions and handovers wait for the next tick');
  }
  const leases = new PgLeaseStore(db.db);
  const registry = new NodeRegistry(db.db);
  const signals: ClusterSignals = config.redisUrl ? await redisSignals(config.redisUrl, nodeId, logger, `${config.clusterName}:wake`) : noSignals;
  const node = new ClusterNode({
    leases,
    registry,
    repo,
    signals,
    events,
    logger,
    options: {
      nodeId,
      url: () => config.nodeUrl ?? opts.url(),
      region: config.region ?? null,
      labels: config.nodeLabels,
      capacity: config.nodeCapacity,
      leaseTtlMs: config.leaseTtlMs,
      tickMs: config.clusterTickMs,
      movesPerTick: config.movesPerTick,
    },
  });
  const router: SessionRouter = {
    nodeId,
    async route(sessionId) {
      const row = await repo.get(sessionId);
      if (!row) return null;
      const owner = await node.ownerOf(row);
      if (!owner || owner.nodeId === nodeId) return null;
      if (!owner.alive || !owner.url) return { down: owner.nodeId };
      return { url: owner.url, nodeId: owner.nodeId };
    },
  };
  return {
    node,
    router,
    fence: (store) => new FencedStateStore(store, leases, nodeId),
    signals,
    close: () => signals.close(),
  };
}
