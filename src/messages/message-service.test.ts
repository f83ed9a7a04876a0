import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnyEvent } from '../core/events.js';
import { silentLogger } from '../core/logger.js';
import { systemClock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import type { SessionService } from '../sessions/index.js';
import { ContactDirectory, MessageRepo, MessageService } from './index.js';
import type { FakeEngine } from '../../test/support/fake-engine.js';
import { sessionFixture, type SessionFixture } from '../../test/support/session-fixture.js';

describe('message service (fake engine, SQLite)', () => {
  let f: SessionFixture;
  let engine: FakeEngine;
  let sessions: SessionService;
  let messages: MessageService;
  let events: AnyEvent[];

  beforeEach(async () => {
    f = await sessionFixture();
    ({ engine, sessions, events } = f);
    const repo = new MessageRepo(f.db.db);
    messages = new MessageService({
      repo,
      contacts: new ContactDirectory(f.db.db, repo),
      sessions,
      events: f.bus,
      logger: silentLogger,
      clock: systemClock,
      queueLimit: 2,
      normalizeJid: (to) => engine.normalizeJid(to),
      newWaId: () => engine.newMessageId(),
    });
    sessions.setTraffic(messages);
  });
  afterEach(() => f.close());

  async function openSession() {
    const s = await sessions.create('w', { name: 'x' });
    const conn = await engine.nextConnection(1);
    conn.open();
    await sessions.runtime(s.id)!.settled();
    return { id: s.id, conn };
  }

  const statusEvents = (id: string) => events.filter((e) => e.type === 'message.status' && e.data.messageId === id).map((e) => (e.data as { status: string }).status);

  async function until(cond: () => boolean | Promise<boolean>) {
    for (let i = 0; i < 500 && !(await cond()); i++) await new Promise((r) => setImmediate(r));
    expect(await cond()).toBe(true);
  }

  it('answers 429 (queue_full) when the session’s send queue is at its bound, and 409 when not open', async () => {
    const { id, conn } = await openSession();
    let release!: () => void;
    conn.onSend = () => new Promise<void>((r) => (release = r));
    await messages.send('w', id, { to: '6281234500001', text: 'a' });
    await messages.send('w', id, { to: '6281234500001', text: 'b' });
    const third = await messages.send('w', id, { to: '6281234500001', text: 'c' }).catch((e) => e);
    expect(third).toBeInstanceOf(AppError);
    expect((third as AppError).code).toBe('queue_full');
    expect((third as AppError).status).toBe(429);
    await until(() => typeof release === 'function');
    release();
    await until(() => conn.sent.length === 1);
    conn.onSend = async () => {};
    release();
    await until(() => conn.sent.length === 2);
    expect(conn.sent.map((s) => s.text)).toEqual(['a', 'b']);

    await sessions.stop('w', id);
    const closed = await messages.send('w', id, { to: '6281234500001', text: 'd' }).catch((e) => e);
    expect((closed as AppError).code).toBe('session_not_open');
  });

  it('concurrent sends past the bound: each refused one is a 429 and leaves no row', async () => {
    const { id, conn } = await openSession();
    conn.onSend = () => new Promise<void>(() => {}); // the first one stays in flight
    const results = await Promise.allSettled(['a', 'b', 'c', 'd'].map((text) => messages.send('w', id, { to: '6281234500009', text })));
    const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as AppError);
    expect(refused.map((e) => [e.code, e.status])).toEqual([
      ['queue_full', 429],
      ['queue_full', 429],
    ]);
    const accepted = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.id] : []));
    const stored = (await messages.history('w', id, { limit: 50 })).messages;
    expect(stored.map((m) => m.id).sort()).toEqual([...accepted].sort());
    expect(stored.every((m) => m.status === 'pending')).toBe(true);
  });

  it('a send cut by a dropped connection stays pending and goes out, in order, once the session is open again', async () => {
    const { id, conn } = await openSession();
    conn.onSend = async () => {
      conn.listener.close({ kind: 'transient', message: 'Connection Closed' });
      throw new Error('Connection Closed');
    };
    const m1 = await messages.send('w', id, { to: '6281234500002', text: 'one' });
    await until(async () => (await messages.get('w', id, m1.id)).status === 'pending' && !sessions.runtime(id)!.connection);
    const conn2 = await engine.nextConnection(2);
    conn2.open();
    await until(() => conn2.sent.length === 1);
    expect(conn2.sent[0]).toMatchObject({ text: 'one', waId: m1.waId });
    await until(async () => (await messages.get('w', id, m1.id)).status === 'sent');
    expect(statusEvents(m1.id)).toEqual(['sent']);
  });

  it('a message handed to the socket but never acked by WhatsApp stays pending and goes out again on the next connection', async () => {
    const { id, conn } = await openSession();
    conn.acks = false; // written, then the connection died before the server's ack
    const m = await messages.send('w', id, { to: '6281234500004', text: 'unacked' });
    await until(() => conn.sent.length === 1);
    expect((await messages.get('w', id, m.id)).status).toBe('pending');
    conn.listener.close({ kind: 'transient', message: 'Connection Closed' });
    const conn2 = await engine.nextConnection(2);
    conn2.open();
    await until(() => conn2.sent.length === 1);
    expect(conn2.sent[0]).toMatchObject({ text: 'unacked', waId: m.waId });
    await until(async () => (await messages.get('w', id, m.id)).status === 'sent');
    expect(statusEvents(m.id)).toEqual(['sent']);
  });

  it('applies receipts monotonically and fails pending messages when the session is stopped', async () => {
    const { id, conn } = await openSession();
    const m = await messages.send('w', id, { to: '6281234500003', text: 'hi' });
    await until(() => conn.sent.length === 1);
    conn.listener.receipt({ waId: m.waId, chatJid: m.chat, status: 'read' });
    await until(() => statusEvents(m.id).includes('read'));
    const m2 = await messages.send('w', id, { to: '6281234500003', text: 'marker' });
    await until(() => conn.sent.length === 2);
    conn.listener.receipt({ waId: m.waId, chatJid: m.chat, status: 'delivered' }); // late, ignored
    conn.listener.receipt({ waId: 'unknown', chatJid: m.chat, status: 'delivered' });
    conn.listener.receipt({ waId: m2.waId, chatJid: m.chat, status: 'delivered' }); // handled after the two above
    await until(() => statusEvents(m2.id).includes('delivered'));
    expect(statusEvents(m.id)).toEqual(['sent', 'read']);

    let release!: () => void;
    conn.onSend = () => new Promise<void>((r) => (release = r));
    const stuck = await messages.send('w', id, { to: '6281234500003', text: 'stuck' });
    const queued = await messages.send('w', id, { to: '6281234500003', text: 'queued' });
    await until(() => typeof release === 'function');
    await sessions.stop('w', id);
    await until(async () => (await messages.get('w', id, queued.id)).status === 'failed');
    expect((await messages.get('w', id, queued.id)).error).toMatch(/stopped/);
    release();
    expect(['failed', 'sent']).toContain((await messages.get('w', id, stuck.id)).status);
  });
});
