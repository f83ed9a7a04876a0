import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnyEvent } from '../core/events.js';
import { systemClock } from '../core/clock.js';
import { connectDatabase, migrate, type Db } from '../db/index.js';
import type { InboundText } from '../sessions/index.js';
import { WaitableList } from '../webhooks/testing/waitable-list.js';
import { createTestPg } from '../../test/support/pg.js';
import { sessionFixture, type SessionFixture } from '../../test/support/session-fixture.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { ContactDirectory, MessageRepo, MessageService, type MessageRow } from './index.js';

/** A real database the service writes to, and a second connection to it that breaks and mends the messages table. */
interface TestDatabase {
  name: string;
  open(): Promise<{ service: Db; admin: Db; cleanup(): Promise<void> }>;
}

const DATABASES: TestDatabase[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = tempDir('kirim-messages-');
      const file = path.join(dir.dir, 'kirim.db');
      const service = connectDatabase({ sqlitePath: file });
      const admin = connectDatabase({ sqlitePath: file });
      return { service, admin, cleanup: async () => dir.cleanup() };
    },
  },
  {
    name: 'postgres',
    async open() {
      const pg = await createTestPg();
      const service = connectDatabase({ url: pg.url, poolSize: 2 });
      const admin = connectDatabase({ url: pg.url, poolSize: 1 });
      return { service, admin, cleanup: () => pg.drop() };
    },
  },
];

let waSeq = 0;
function inbound(text: string, phone = '6281234577001'): InboundText {
  return {
    waId: `3EB0DUR${String(++waSeq).padStart(6, '0')}`,
    remoteJid: `${phone}@s.whatsapp.net`,
    chatJid: `${phone}@s.whatsapp.net`,
    chatLid: null,
    chatPhone: phone,
    fromMe: false,
    text,
    pushName: 'Ann',
    timestamp: Date.now(),
    offline: false,
  };
}

describe.each(DATABASES)('received messages and receipts survive database errors ($name)', (database) => {
  let f: SessionFixture;
  let dbs: Awaited<ReturnType<TestDatabase['open']>>;
  let repo: MessageRepo;
  let messages: MessageService;
  let logs: WaitableList<{ level: number; msg: string }>;
  let closed: Promise<void> | undefined;

  const received = (waId: string) => f.events.filter((e): e is Extract<AnyEvent, { type: 'message.received' }> => e.type === 'message.received' && e.data.waId === waId);
  const logged = (msg: string, count = 1) => logs.until((items) => items.filter((l) => l.msg === msg).length >= count);
  // a real failure of the real database: the table is not there for a while
  const breakTable = () => sql`alter table messages rename to messages_away`.execute(dbs.admin.db);
  const mendTable = () => sql`alter table messages_away rename to messages`.execute(dbs.admin.db);

  beforeEach(async () => {
    f = await sessionFixture();
    dbs = await database.open();
    await migrate(dbs.service);
    repo = new MessageRepo(dbs.service.db);
    logs = new WaitableList();
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line));
        done();
      },
    });
    messages = new MessageService({
      repo,
      contacts: new ContactDirectory(dbs.service.db, repo),
      sessions: f.sessions,
      events: f.bus,
      logger: pino({ level: 'warn' }, sink),
      clock: systemClock,
      queueLimit: 10,
      normalizeJid: (to) => f.engine.normalizeJid(to),
      newWaId: () => f.engine.newMessageId(),
      retryDelaysMs: [50, 100, 200, 400, 800, 1_600, 3_200],
      closeBudgetMs: 1_000,
    });
    closed = undefined;
  });
  afterEach(async () => {
    await (closed ?? messages.close());
    await dbs.service.close();
    await dbs.admin.close();
    await dbs.cleanup();
    await f.close();
  });

  it('an inbound message whose write failed is stored when the database is back, announced once, in order', async () => {
    await breakTable();
    const first = inbound('while the table was away');
    const second = inbound('right after');
    messages.message('s1', 'w', first);
    messages.message('s1', 'w', second);
    await logged('storing an inbound message failed; retrying');
    expect(received(first.waId)).toEqual([]);
    await mendTable();

    await messages.close(); // waits for the retries to finish
    closed = Promise.resolve();
    const [event] = received(first.waId);
    expect(received(first.waId)).toHaveLength(1);
    const row = await repo.byWaId('s1', first.waId);
    expect(row).toMatchObject({ id: event.data.messageId, text: 'while the table was away', direction: 'in', chat: '6281234577001@s.whatsapp.net' });
    // the second one waited behind the first: same order in the events and the history
    const order = f.events.filter((e) => e.type === 'message.received').map((e) => (e.data as { waId: string }).waId);
    expect(order).toEqual([first.waId, second.waId]);
    const history = await repo.history('s1', { limit: 10 });
    expect(history.map((m) => m.text)).toEqual(['right after', 'while the table was away']);
  });

  it('a receipt whose write failed is applied when the database is back', async () => {
    const now = Date.now();
    const sent: MessageRow = {
      id: 'msg_receipt_1', workspace_id: 'w', session_id: 's1', wa_id: '3EB0RECEIPT1', chat: '6281234577002@s.whatsapp.net', direction: 'out',
      sender: '', remote_jid: '6281234577002@s.whatsapp.net', text: 'hi', status: 'sent', error: null, push_name: null, attempts: 1,
      timestamp: now, created_at: now, updated_at: now,
    };
    await repo.insert(sent);
    await breakTable();
    messages.receipt('s1', 'w', { waId: sent.wa_id, chatJid: sent.chat, status: 'delivered' });
    messages.receipt('s1', 'w', { waId: sent.wa_id, chatJid: sent.chat, status: 'read' });
    await logged('applying a receipt failed; retrying');
    await mendTable();
    await messages.close();
    closed = Promise.resolve();
    expect((await repo.get(sent.id))?.status).toBe('read');
    const statuses = f.events.filter((e) => e.type === 'message.status' && e.data.messageId === sent.id).map((e) => (e.data as { status: string }).status);
    expect(statuses).toEqual(['delivered', 'read']);
  });

  it('shutdown waits for a write that is still failing, and stores it if the database comes back in time', async () => {
    await breakTable();
    const msg = inbound('during shutdown');
    messages.message('s1', 'w', msg);
    await logged('storing an inbound message failed; retrying');
    let done = false;
    closed = messages.close().then(() => {
      done = true;
    });
    const before = logs.items.length;
    await logs.until((items) => items.slice(before).some((l) => l.msg === 'storing an inbound message failed; retrying')); // still retrying
    expect(done).toBe(false);
    await mendTable();
    await closed;
    expect((await repo.byWaId('s1', msg.waId))?.text).toBe('during shutdown');
    expect(received(msg.waId)).toHaveLength(1);
  });

  it('shutdown gives up after its budget when the database stays down, and says so', async () => {
    await breakTable();
    const msg = inbound('lost to a long outage');
    messages.message('s1', 'w', msg);
    await logged('storing an inbound message failed; retrying');
    const started = Date.now();
    await messages.close();
    closed = Promise.resolve();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(logs.items.some((l) => l.msg === 'storing an inbound message failed; given up' && l.level === 50)).toBe(true);
    await mendTable();
    expect(await repo.byWaId('s1', msg.waId)).toBeUndefined();
  });
});
