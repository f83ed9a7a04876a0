import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import type { MessageRepo } from './message-repo.js';

export interface ContactIdentity {
  phone: string | null;
  /** user@lid */
  lid: string | null;
  pushName?: string | null;
}

/**
 * One chat per person: WhatsApp addresses a contact by phone number (`…@s.whatsapp.net`) or by
 * LID (`…@lid`). The canonical chat is the phone jid when the number is known, the LID jid
 * otherwise; when a LID-only chat later learns its number, its history moves to the phone chat.
 */
export class ContactDirectory {
  private readonly cache = new Map<string, string>(); // `${session}|lid` → canonical chat

  constructor(
    private readonly db: Kysely<Database>,
    private readonly messages: MessageRepo,
  ) {}

  async resolve(workspaceId: string, sessionId: string, who: ContactIdentity, now: number): Promise<string> {
    const phoneChat = who.phone ? `${who.phone}@s.whatsapp.net` : null;
    if (!who.lid) {
      if (phoneChat) await this.upsert(workspaceId, sessionId, phoneChat, who, now);
      return phoneChat!;
    }
    const key = `${sessionId}|${who.lid}`;
    const known = this.cache.get(key) ?? (await this.chatOfLid(sessionId, who.lid));
    if (phoneChat) {
      let pushName = who.pushName ?? null;
      if (known !== phoneChat) {
        // learned the number of a LID: its LID-only chat (a contact seen by LID, or messages we sent
        // to the LID before it was ever seen) joins the phone chat, and keeps the name it was known by
        for (const chat of new Set([known ?? who.lid, who.lid])) {
          const merged = await this.contactRow(sessionId, chat);
          pushName ??= merged?.push_name ?? null;
          await this.messages.moveChat(sessionId, chat, phoneChat);
          if (merged) await this.db.deleteFrom('contacts').where('session_id', '=', sessionId).where('chat', '=', chat).execute();
        }
      }
      await this.upsert(workspaceId, sessionId, phoneChat, { ...who, pushName }, now);
      this.cache.set(key, phoneChat);
      return phoneChat;
    }
    if (known) {
      this.cache.set(key, known);
      if (who.pushName) await this.upsert(workspaceId, sessionId, known, who, now);
      return known;
    }
    await this.upsert(workspaceId, sessionId, who.lid, who, now);
    this.cache.set(key, who.lid);
    return who.lid;
  }

  /** The canonical chat for a jid the user typed (maps a known LID to its phone chat). */
  async canonical(sessionId: string, jid: string): Promise<string> {
    if (!jid.endsWith('@lid')) return jid;
    return this.cache.get(`${sessionId}|${jid}`) ?? (await this.chatOfLid(sessionId, jid)) ?? jid;
  }

  async info(sessionId: string, chats: string[]): Promise<Map<string, { phone: string | null; lid: string | null; name: string | null }>> {
    const out = new Map<string, { phone: string | null; lid: string | null; name: string | null }>();
    if (!chats.length) return out;
    const rows = await this.db.selectFrom('contacts').selectAll().where('session_id', '=', sessionId).where('chat', 'in', chats).execute();
    for (const r of rows) out.set(r.chat, { phone: r.phone, lid: r.lid, name: r.push_name });
    return out;
  }

  async forgetSession(sessionId: string): Promise<void> {
    for (const k of this.cache.keys()) if (k.startsWith(`${sessionId}|`)) this.cache.delete(k);
    await this.db.deleteFrom('contacts').where('session_id', '=', sessionId).execute();
  }

  private async contactRow(sessionId: string, chat: string): Promise<{ push_name: string | null } | undefined> {
    return this.db.selectFrom('contacts').select('push_name').where('session_id', '=', sessionId).where('chat', '=', chat).executeTakeFirst();
  }

  private async chatOfLid(sessionId: string, lid: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('contacts')
      .select('chat')
      .where('session_id', '=', sessionId)
      .where('lid', '=', lid)
      .orderBy('updated_at', 'desc')
      .executeTakeFirst();
    return row?.chat ?? null;
  }

  private async upsert(workspaceId: string, sessionId: string, chat: string, who: ContactIdentity, now: number): Promise<void> {
    await this.db
      .insertInto('contacts')
      .values({ session_id: sessionId, workspace_id: workspaceId, chat, phone: who.phone, lid: who.lid, push_name: who.pushName ?? null, updated_at: now })
      .onConflict((oc) =>
        oc.columns(['session_id', 'chat']).doUpdateSet((eb) => ({
          phone: eb.fn.coalesce('excluded.phone', 'contacts.phone'),
          lid: eb.fn.coalesce('excluded.lid', 'contacts.lid'),
          push_name: eb.fn.coalesce('excluded.push_name', 'contacts.push_name'),
          updated_at: now,
        })),
      )
      .execute();
  }
}
