import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/index.js';
import type { NodeRegistryPort } from './cluster-ports.js';
import type { NodeView } from './node-directory.js';

const NOW = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

export interface NodeRecord {
  id: string;
  url: string | null;
  region: string | null;
  labels: Record<string, string>;
  capacity: number;
  status: 'active' | 'draining' | 'left';
  sessions: number;
  startedAt: number;
  heartbeatAt: number;
}

/** The `nodes` table: who is in the cluster, where to reach it, how full it is, and whether it is alive. */
export class NodeRegistry implements NodeRegistryPort {
  constructor(private readonly db: Kysely<Database>) {}

  async register(n: { id: string; url: string | null; region: string | null; labels: Record<string, string>; capacity: number }): Promise<void> {
    await sql`
      insert into nodes (id, url, region, labels, capacity, status, sessions, started_at, heartbeat_at)
      values (${n.id}, ${n.url}, ${n.region}, ${JSON.stringify(n.labels)}, ${n.capacity}, 'active', 0, ${NOW}, ${NOW})
      on conflict (id) do update set url = excluded.url, region = excluded.region, labels = excluded.labels,
        capacity = excluded.capacity, status = 'active', sessions = 0, started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at`.execute(this.db);
  }

  async heartbeat(id: string, url: string | null, sessions: number): Promise<void> {
    await sql`update nodes set heartbeat_at = ${NOW}, sessions = ${sessions}, url = coalesce(${url}, url) where id = ${id}`.execute(this.db);
  }

  async setStatus(id: string, status: NodeRecord['status']): Promise<boolean> {
    const res = await this.db.updateTable('nodes').set({ status }).where('id', '=', id).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** Every known node with `alive` judged by the database clock. */
  async list(aliveWithinMs: number): Promise<Array<NodeRecord & { alive: boolean }>> {
    const res = await sql<{
      id: string;
      url: string | null;
      region: string | null;
      labels: string;
      capacity: number;
      status: NodeRecord['status'];
      sessions: number;
      started_at: number;
      heartbeat_at: number;
      alive: boolean;
    }>`select *, heartbeat_at >= ${NOW} - ${aliveWithinMs} as alive from nodes order by id`.execute(this.db);
    return res.rows.map((r) => ({
      id: r.id,
      url: r.url,
      region: r.region,
      labels: JSON.parse(r.labels) as Record<string, string>,
      capacity: Number(r.capacity),
      status: r.status,
      sessions: Number(r.sessions),
      startedAt: Number(r.started_at),
      heartbeatAt: Number(r.heartbeat_at),
      alive: !!r.alive && r.status !== 'left',
    }));
  }

  /** Sessions that should run, per assigned node. */
  async assignedCounts(): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('sessions')
      .select(['node_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('desired', '=', 'running')
      .where('node_id', 'is not', null)
      .groupBy('node_id')
      .execute();
    return new Map(rows.map((r) => [r.node_id as string, Number(r.n)]));
  }

  /** Forget nodes that have been gone for long (they stay listed as dead for a day). */
  async prune(olderThanMs: number): Promise<void> {
    await sql`delete from nodes where heartbeat_at < ${NOW} - ${olderThanMs}`.execute(this.db);
  }
}

export function toNodeView(n: NodeRecord & { alive: boolean }): NodeView {
  return {
    id: n.id,
    url: n.url,
    region: n.region,
    status: !n.alive ? 'dead' : n.status === 'draining' ? 'draining' : 'active',
    sessions: n.sessions,
    capacity: n.capacity,
    lastHeartbeat: new Date(n.heartbeatAt).toISOString(),
    labels: n.labels,
  };
}
