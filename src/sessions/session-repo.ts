import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { Database, SessionsTable } from '../db/index.js';
import type { SessionStatus } from '../core/events.js';

export type SessionRow = Selectable<SessionsTable>;

/** A session as the API shows it (CONTRACT §2), plus what kirim adds. */
export interface SessionView {
  id: string;
  name: string;
  status: SessionStatus;
  phone: string | null;
  node: string | null;
  createdAt: string;
  updatedAt: string;
  workspaceId: string;
  jid: string | null;
  lid: string | null;
  pushName: string | null;
  lastError: string | null;
  desired: 'running' | 'stopped';
  region: string | null;
  labels: Record<string, string> | null;
}

export function toView(row: SessionRow): SessionView {
  return {
    id: row.id,
    name: row.name,
    status: row.status as SessionStatus,
    phone: row.phone,
    node: row.node_id,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    workspaceId: row.workspace_id,
    jid: row.jid,
    lid: row.lid,
    pushName: row.push_name,
    lastError: row.last_error,
    desired: row.desired,
    region: row.region,
    labels: row.labels ? (JSON.parse(row.labels) as Record<string, string>) : null,
  };
}

export class SessionRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: SessionRow): Promise<void> {
    await this.db.insertInto('sessions').values(row).execute();
  }

  async get(id: string): Promise<SessionRow | undefined> {
    return this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(workspaceId: string): Promise<SessionRow[]> {
    return this.db.selectFrom('sessions').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at', 'asc').execute();
  }

  async listDesiredRunning(): Promise<SessionRow[]> {
    return this.db.selectFrom('sessions').selectAll().where('desired', '=', 'running').orderBy('created_at', 'asc').execute();
  }

  /** Sessions that should run on `nodeId` (the cluster reconciler's worklist). */
  async listAssigned(nodeId: string): Promise<SessionRow[]> {
    return this.db.selectFrom('sessions').selectAll().where('desired', '=', 'running').where('node_id', '=', nodeId).orderBy('created_at', 'asc').execute();
  }

  /** Sessions that should run but have no live node: never placed, or placed on a dead one. */
  async listOrphans(aliveNodes: string[]): Promise<SessionRow[]> {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('desired', '=', 'running')
      .where((eb) => (aliveNodes.length ? eb.or([eb('node_id', 'is', null), eb('node_id', 'not in', aliveNodes)]) : eb.lit(true)))
      .orderBy('created_at', 'asc')
      .execute();
  }

  /** Up to `limit` running sessions of the given nodes (draining and rebalancing take from these). */
  async listOnNodes(nodeIds: string[], limit: number): Promise<SessionRow[]> {
    if (!nodeIds.length) return [];
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('desired', '=', 'running')
      .where('node_id', 'in', nodeIds)
      .orderBy('updated_at', 'asc')
      .limit(limit)
      .execute();
  }

  /** Moves a session to another node only if nobody moved it since `from` was read. */
  /**
   * Moves a running session from node `from` to `to`, unless it moved meanwhile. With `fromDead`
   * (the reason, e.g. its node stopped answering), an `open` it still shows is no longer true —
   * nothing holds its connection — so it reads `reconnecting` until the new node opens it.
   */
  async reassign(id: string, from: string | null, to: string, fromDead?: string): Promise<boolean> {
    const patch = fromDead
      ? { node_id: to, status: sql<string>`case when status = 'open' then 'reconnecting' else status end`, last_error: fromDead }
      : { node_id: to };
    let q = this.db.updateTable('sessions').set(patch).where('id', '=', id).where('desired', '=', 'running');
    q = from === null ? q.where('node_id', 'is', null) : q.where('node_id', '=', from);
    const res = await q.executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** A node leaves: its sessions wait for the leader to place them elsewhere. */
  async unassignNode(nodeId: string): Promise<void> {
    await this.db.updateTable('sessions').set({ node_id: null }).where('node_id', '=', nodeId).where('desired', '=', 'running').execute();
  }

  async getMany(ids: string[]): Promise<SessionRow[]> {
    if (!ids.length) return [];
    return this.db.selectFrom('sessions').selectAll().where('id', 'in', ids).execute();
  }

  async update(id: string, patch: Updateable<SessionsTable>): Promise<void> {
    await this.db.updateTable('sessions').set(patch).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', id).execute();
  }
}
