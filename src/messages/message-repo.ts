import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Database, MessagesTable } from '../db/index.js';
import type { MessageStatus } from '../core/events.js';

export type MessageRow = Selectable<MessagesTable>;

export interface MessageView {
  id: string;
  sessionId: string;
  waId: string;
  chat: string;
  direction: 'in' | 'out';
  from: string;
  to: string;
  text: string;
  status: MessageStatus;
  error?: string;
  pushName: string | null;
  timestamp: string;
  createdAt: string;
  updatedAt: string;
}

export function toMessageView(row: MessageRow, ownJid: string | null): MessageView {
  const me = ownJid ?? 'me';
  return {
    id: row.id,
    sessionId: row.session_id,
    waId: row.wa_id,
    chat: row.chat,
    direction: row.direction,
    from: row.direction === 'in' ? row.sender : me,
    to: row.direction === 'in' ? me : row.chat,
    text: row.text,
    status: row.status as MessageStatus,
    ...(row.error ? { error: row.error } : {}),
    pushName: row.push_name,
    timestamp: new Date(row.timestamp).toISOString(),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export interface HistoryCursor {
  timestamp: number;
  id: string;
}

export class MessageRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: MessageRow): Promise<boolean> {
    const res = await this.db
      .insertInto('messages')
      .values(row)
      .onConflict((oc) => oc.columns(['session_id', 'wa_id']).doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async get(id: string): Promise<MessageRow | undefined> {
    return this.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async byWaId(sessionId: string, waId: string): Promise<MessageRow | undefined> {
    return this.db.selectFrom('messages').selectAll().where('session_id', '=', sessionId).where('wa_id', '=', waId).executeTakeFirst();
  }

  async update(id: string, patch: Updateable<MessagesTable>): Promise<void> {
    await this.db.updateTable('messages').set(patch).where('id', '=', id).execute();
  }

  /** Moves a message to `status` only if it is currently in one of `from` (monotonic receipts). */
  async advance(id: string, status: MessageStatus, from: MessageStatus[], now: number, error?: string): Promise<boolean> {
    const res = await this.db
      .updateTable('messages')
      .set({ status, updated_at: now, ...(error !== undefined ? { error } : {}) })
      .where('id', '=', id)
      .where('status', 'in', from)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async pendingOutgoing(sessionId: string, limit: number): Promise<MessageRow[]> {
    return this.db
      .selectFrom('messages')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('status', '=', 'pending')
      .where('direction', '=', 'out')
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .limit(limit)
      .execute();
  }

  async history(sessionId: string, opts: { chat?: string; limit: number; before?: HistoryCursor }): Promise<MessageRow[]> {
    let q = this.db.selectFrom('messages').selectAll().where('session_id', '=', sessionId);
    if (opts.chat) q = q.where('chat', '=', opts.chat);
    if (opts.before) {
      const b = opts.before;
      q = q.where((eb) => eb.or([eb('timestamp', '<', b.timestamp), eb.and([eb('timestamp', '=', b.timestamp), eb('id', '<', b.id)])]));
    }
    return q.orderBy('timestamp', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
  }

  /** Chats with their latest activity and unread (inbound, not yet read) counts, newest first. */
  async chats(sessionId: string, limit: number): Promise<Array<{ chat: string; last_ts: number; unread: number }>> {
    const rows = await this.db
      .selectFrom('messages')
      .select((eb) => [
        'chat',
        eb.fn.max('timestamp').as('last_ts'),
        eb.fn.sum<number>(eb.case().when(eb.and([eb('direction', '=', 'in'), eb('status', '!=', 'read')])).then(1).else(0).end()).as('unread'),
      ])
      .where('session_id', '=', sessionId)
      .groupBy('chat')
      .orderBy('last_ts', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ chat: r.chat, last_ts: Number(r.last_ts), unread: Number(r.unread ?? 0) }));
  }

  async latestIn(sessionId: string, chat: string): Promise<MessageRow | undefined> {
    return this.db
      .selectFrom('messages')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('chat', '=', chat)
      .orderBy('timestamp', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  async unreadInbound(sessionId: string, chat: string): Promise<MessageRow[]> {
    return this.db
      .selectFrom('messages')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('chat', '=', chat)
      .where('direction', '=', 'in')
      .where('status', '!=', 'read')
      .execute();
  }

  async markRead(ids: string[], now: number): Promise<void> {
    if (!ids.length) return;
    await this.db.updateTable('messages').set({ status: 'read', updated_at: now }).where('id', 'in', ids).execute();
  }

  /** Re-homes a chat's messages (a LID-only chat turned out to be a known phone number). */
  async moveChat(sessionId: string, from: string, to: string): Promise<void> {
    await this.db.updateTable('messages').set({ chat: to }).where('session_id', '=', sessionId).where('chat', '=', from).execute();
  }

  async deleteSession(sessionId: string): Promise<void> {
    await this.db.deleteFrom('messages').where('session_id', '=', sessionId).execute();
  }
}
