import type { Kysely, Selectable, Updateable } from 'kysely';
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

  async listDesiredRunning(nodeId?: string): Promise<SessionRow[]> {
    let q = this.db.selectFrom('sessions').selectAll().where('desired', '=', 'running');
    if (nodeId) q = q.where((eb) => eb.or([eb('node_id', '=', nodeId), eb('node_id', 'is', null)]));
    return q.orderBy('created_at', 'asc').execute();
  }

  async update(id: string, patch: Updateable<SessionsTable>): Promise<void> {
    await this.db.updateTable('sessions').set(patch).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', id).execute();
  }
}
