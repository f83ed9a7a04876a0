import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectDatabase, migrate, type Db } from '../db/index.js';
import { ContactDirectory } from './contact-directory.js';
import { MessageRepo, type MessageRow } from './message-repo.js';

const PHONE = '6281234500001';
const PHONE_CHAT = `${PHONE}@s.whatsapp.net`;
const LID = '123456789012345@lid';

describe('contact directory (SQLite)', () => {
  let db: Db;
  let repo: MessageRepo;
  let contacts: ContactDirectory;
  let n = 0;

  beforeEach(async () => {
    db = connectDatabase({ sqlitePath: ':memory:' });
    await migrate(db);
    repo = new MessageRepo(db.db);
    contacts = new ContactDirectory(db.db, repo);
  });
  afterEach(() => db.close());

  async function store(chat: string, direction: 'in' | 'out' = 'in'): Promise<void> {
    n++;
    const row: MessageRow = {
      id: `msg_${String(n).padStart(4, '0')}`,
      workspace_id: 'w',
      session_id: 's1',
      wa_id: `WA${n}`,
      chat,
      direction,
      sender: direction === 'in' ? chat : '',
      remote_jid: chat,
      text: `m${n}`,
      status: 'delivered',
      error: null,
      push_name: null,
      attempts: 0,
      timestamp: n,
      created_at: n,
      updated_at: n,
    };
    await repo.insert(row);
  }

  const chatsOf = async (session = 's1') => (await repo.chats(session, 100)).map((c) => c.chat);

  it('a phone-addressed contact is its phone chat', async () => {
    expect(await contacts.resolve('w', 's1', { phone: PHONE, lid: null, pushName: 'Ann' }, 1)).toBe(PHONE_CHAT);
    expect((await contacts.info('s1', [PHONE_CHAT])).get(PHONE_CHAT)).toEqual({ phone: PHONE, lid: null, name: 'Ann' });
    expect(await contacts.canonical('s1', PHONE_CHAT)).toBe(PHONE_CHAT);
  });

  it('a contact seen by LID only is a LID chat until its number arrives; then the two are one phone chat', async () => {
    expect(await contacts.resolve('w', 's1', { phone: null, lid: LID, pushName: 'Ann' }, 1)).toBe(LID);
    await store(LID);
    expect(await contacts.resolve('w', 's1', { phone: null, lid: LID, pushName: null }, 2)).toBe(LID);
    await store(LID);
    expect(await contacts.canonical('s1', LID)).toBe(LID);

    // the number arrives (sender_pn on a later message, or a phone-addressed one with sender_lid)
    expect(await contacts.resolve('w', 's1', { phone: PHONE, lid: LID, pushName: null }, 3)).toBe(PHONE_CHAT);
    await store(PHONE_CHAT);
    expect(await chatsOf()).toEqual([PHONE_CHAT]);
    expect((await repo.history('s1', { chat: PHONE_CHAT, limit: 10 })).map((m) => m.text)).toEqual(['m3', 'm2', 'm1']);
    const info = await contacts.info('s1', [PHONE_CHAT, LID]);
    expect(info.get(PHONE_CHAT)).toEqual({ phone: PHONE, lid: LID, name: 'Ann' });
    expect(info.has(LID)).toBe(false);
    expect(await contacts.canonical('s1', LID)).toBe(PHONE_CHAT);
    // LID-only messages after that still land in the phone chat
    expect(await contacts.resolve('w', 's1', { phone: null, lid: LID, pushName: 'Ann B' }, 4)).toBe(PHONE_CHAT);
    expect((await contacts.info('s1', [PHONE_CHAT])).get(PHONE_CHAT)?.name).toBe('Ann B');
  });

  it('messages sent to a LID before the contact was ever seen join the phone chat once the mapping is known', async () => {
    expect(await contacts.canonical('s1', LID)).toBe(LID);
    await store(LID, 'out'); // POST /messages {to: "<lid>@lid"}: no contact row yet
    expect(await contacts.resolve('w', 's1', { phone: PHONE, lid: LID, pushName: 'Ann' }, 2)).toBe(PHONE_CHAT);
    await store(PHONE_CHAT);
    expect(await chatsOf()).toEqual([PHONE_CHAT]);
    expect((await repo.history('s1', { chat: PHONE_CHAT, limit: 10 })).map((m) => m.direction)).toEqual(['in', 'out']);
  });

  it('the mapping outlives the process (a new directory reads it from the database), per session', async () => {
    await contacts.resolve('w', 's1', { phone: PHONE, lid: LID, pushName: 'Ann' }, 1);
    const restarted = new ContactDirectory(db.db, repo);
    expect(await restarted.canonical('s1', LID)).toBe(PHONE_CHAT);
    expect(await restarted.resolve('w', 's1', { phone: null, lid: LID, pushName: null }, 2)).toBe(PHONE_CHAT);
    expect(await restarted.canonical('s2', LID)).toBe(LID); // another session knows nothing of it

    await restarted.forgetSession('s1');
    expect(await restarted.canonical('s1', LID)).toBe(LID);
    expect((await restarted.info('s1', [PHONE_CHAT])).size).toBe(0);
  });
});
