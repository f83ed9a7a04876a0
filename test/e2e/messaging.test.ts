import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSim, testPhone, type TestSim } from '../support/sim.js';
import { startTestGateway, type TestGateway } from '../support/gateway-in-process.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { ApiClient } from '../support/api-client.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { tempDir } from '../support/temp-dir.js';
import { openSse, type SseClient, type SseEvent } from '../support/sse.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const QUEUE_LIMIT = 2;

const statusOf = (id: string, status: string) => (e: SseEvent) => e.event === 'message.status' && e.data.data.messageId === id && e.data.data.status === status;
const receivedText = (text: string) => (e: SseEvent) => e.event === 'message.received' && e.data.data.text === text;

/** Polls something another component updates on its own (the simulator's view of a message) until `ok`. */
async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Messages both ways through the public API against the simulator's Signal-speaking contacts. The
 * gateway reaches the simulator through a proxy the tests can hold (a stalled network), so a send
 * can be kept in flight on purpose.
 */
describe('messaging e2e', () => {
  let sim: TestSim;
  let proxy: TcpProxy;
  let t: TestGateway;
  let dir: ReturnType<typeof tempDir>;
  let sessionId: string;
  let account: string;
  let events: SseClient;

  beforeAll(async () => {
    sim = await startTestSim();
    proxy = await startTcpProxy('127.0.0.1', Number(new URL(sim.sim.url).port));
    dir = tempDir();
    t = await startTestGateway({ KIRIM_DATA_DIR: dir.dir, KIRIM_SANDBOX_URL: `http://127.0.0.1:${proxy.port}`, KIRIM_SEND_QUEUE_LIMIT: String(QUEUE_LIMIT) });
    events = t.sse();
    await events.ready;
    sessionId = (await t.api.post('/v1/sessions', { name: 'messaging' })).body.id;
    const qr = await events.waitFor((e) => e.event === 'session.qr' && e.data.sessionId === sessionId, 10_000, 'qr');
    account = testPhone('62812');
    expect((await sim.admin('POST', '/admin/scan', { qr: qr.data.data.qr, phone: account })).status).toBe(200);
    await events.waitFor((e) => e.data.sessionId === sessionId && e.data.data?.status === 'open', 15_000, 'open');
  });
  afterAll(async () => {
    proxy?.release();
    await t?.close();
    await proxy?.close();
    await sim?.close();
    dir?.cleanup();
  });

  const history = async (chat: string) => (await t.api.get(`/v1/sessions/${sessionId}/messages?chat=${encodeURIComponent(chat)}&limit=50`)).body.messages as any[];
  const chats = async () => (await t.api.get(`/v1/sessions/${sessionId}/chats`)).body.chats as any[];
  const contactSend = async (contact: string, text: string, addressing?: 'lid' | 'pn' | 'lid_only') => {
    const r = await sim.admin('POST', `/admin/contacts/${contact}/send`, { to: account, text, ...(addressing ? { addressing } : {}) });
    expect(r.status).toBe(200);
    return (await events.waitFor(receivedText(text), 10_000, text)).data;
  };

  it('sends a text: the contact receives it, and the status goes sent → delivered → read', async () => {
    const contact = testPhone('62813');
    const sent = await t.api.post(`/v1/sessions/${sessionId}/messages`, { to: contact, text: 'Halo dari kirim' });
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({ status: 'pending', chat: `${contact}@s.whatsapp.net` });
    const id = sent.body.id;
    const sentEvent = await events.waitFor(statusOf(id, 'sent'), 10_000, 'sent');
    // the public event shape (CONTRACT §3)
    expect(sentEvent.data).toMatchObject({ id: expect.stringMatching(/^evt_/), type: 'message.status', sessionId, timestamp: expect.stringMatching(ISO) });
    expect(sentEvent.id).toBe(sentEvent.data.id);
    expect(sentEvent.data.data).toMatchObject({ messageId: id, status: 'sent', waId: sent.body.waId });
    await events.waitFor(statusOf(id, 'delivered'), 10_000, 'delivered');
    const inbox = (await sim.admin('GET', `/admin/contacts/${contact}/inbox`)).body.messages;
    const got = inbox.find((m: { id: string }) => m.id === sent.body.waId);
    expect(got).toMatchObject({ text: 'Halo dari kirim' });
    expect(got.from).toContain(account);
    expect((await t.api.get(`/v1/sessions/${sessionId}/messages/${id}`)).body).toMatchObject({ id, status: 'delivered', to: `${contact}@s.whatsapp.net` });

    expect((await sim.admin('POST', `/admin/contacts/${contact}/read`, { messageIds: [sent.body.waId] })).status).toBe(200);
    await events.waitFor(statusOf(id, 'read'), 10_000, 'read');
    expect((await t.api.get(`/v1/sessions/${sessionId}/messages/${id}`)).body.status).toBe('read');
    // the account's own phone got the copy WhatsApp sends it
    const own = await sim.admin('GET', `/admin/accounts/${account}/inbox`);
    expect(own.status).toBe(200);
    expect(own.body.messages.some((m: { text: string }) => m.text === 'Halo dari kirim')).toBe(true);
  });

  it('receives texts from a contact as message.received, in order, and keeps them in history; reading them reaches the contact', async () => {
    const contact = testPhone('62814');
    const ids: string[] = [];
    for (const text of ['first', 'second', 'third']) {
      const r = await sim.admin('POST', `/admin/contacts/${contact}/send`, { to: account, text });
      expect(r.status).toBe(200);
      ids.push(r.body.messageId);
    }
    const received: any[] = [];
    for (const text of ['first', 'second', 'third']) {
      const e = await events.waitFor((x) => receivedText(text)(x) && x.data.data.from.includes(contact), 10_000, text);
      received.push(e.data);
    }
    const hist = await t.api.get(`/v1/sessions/${sessionId}/messages?chat=${contact}&limit=10`);
    expect(hist.status).toBe(200);
    expect(hist.body.messages.map((m: { text: string }) => m.text)).toEqual(['third', 'second', 'first']);
    expect(hist.body.messages.every((m: { direction: string }) => m.direction === 'in')).toBe(true);
    // the contract's shape of message.received: envelope id and time, and the message as history has it
    const rowsByText = new Map(hist.body.messages.map((m: any) => [m.text, m]));
    for (const [i, e] of received.entries()) {
      const row: any = rowsByText.get(e.data.text);
      expect(e).toMatchObject({ id: expect.stringMatching(/^evt_/), type: 'message.received', sessionId, timestamp: expect.stringMatching(ISO) });
      expect(e.data).toEqual({
        messageId: row.id,
        waId: ids[i],
        from: `${contact}@s.whatsapp.net`,
        chat: `${contact}@s.whatsapp.net`,
        phone: contact,
        text: ['first', 'second', 'third'][i],
        pushName: `User ${contact.slice(-4)}`,
        timestamp: expect.stringMatching(ISO),
      });
      expect(row).toMatchObject({ waId: ids[i], from: `${contact}@s.whatsapp.net`, pushName: `User ${contact.slice(-4)}`, status: 'delivered' });
    }

    // a reply goes to the same chat: history shows both directions, newest first, with paging
    const reply = await t.api.post(`/v1/sessions/${sessionId}/messages`, { to: `${contact}@s.whatsapp.net`, text: 'reply' });
    await events.waitFor(statusOf(reply.body.id, 'delivered'), 10_000, 'reply delivered');
    const page1 = await t.api.get(`/v1/sessions/${sessionId}/messages?chat=${contact}&limit=2`);
    expect(page1.body.messages.map((m: { text: string }) => m.text)).toEqual(['reply', 'third']);
    const page2 = await t.api.get(`/v1/sessions/${sessionId}/messages?chat=${contact}&limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.messages.map((m: { text: string }) => m.text)).toEqual(['second', 'first']);

    const chat = (await chats()).find((c) => c.chat === `${contact}@s.whatsapp.net`);
    expect(chat).toMatchObject({ unread: 3, phone: contact });
    expect(chat.lastMessage.text).toBe('reply');
    const outboxStatus = async () => (await sim.admin('GET', `/admin/contacts/${contact}/outbox`)).body.messages.map((m: any) => [m.id, m.status]).sort();
    expect(await outboxStatus()).toEqual(ids.map((id) => [id, 'delivered']).sort());
    const read = await t.api.post(`/v1/sessions/${sessionId}/chats/${contact}/read`);
    expect(read.status).toBe(200);
    expect(read.body.read).toBe(3);
    // the read receipts reach the contact's phone (blue ticks there)
    await eventually(outboxStatus, (s) => s.every(([, status]: string[]) => status === 'read'), 'the contact to see its messages read');
    expect((await chats()).find((c) => c.chat === `${contact}@s.whatsapp.net`).unread).toBe(0);
    expect((await history(contact)).filter((m) => m.direction === 'in').every((m) => m.status === 'read')).toBe(true);
    expect((await t.api.post(`/v1/sessions/${sessionId}/chats/${contact}/read`)).body.read).toBe(0);
  });

  it('a contact addressed by LID (with sender_pn) is its phone chat: a send to the LID and history by LID are that chat', async () => {
    const contact = testPhone('62815');
    const phoneJid = `${contact}@s.whatsapp.net`;
    const e = await contactSend(contact, 'via lid');
    expect(e.data).toMatchObject({ chat: phoneJid, from: phoneJid, phone: contact });
    const row = (await chats()).find((c) => c.chat === phoneJid);
    expect(row).toMatchObject({ phone: contact, lid: expect.stringMatching(/^\d+@lid$/) });
    const lid: string = row.lid;

    const byPhone = await t.api.post(`/v1/sessions/${sessionId}/messages`, { to: contact, text: 'by phone' });
    await events.waitFor(statusOf(byPhone.body.id, 'delivered'), 10_000, 'by phone delivered');
    const byLid = await t.api.post(`/v1/sessions/${sessionId}/messages`, { to: lid, text: 'by lid' });
    expect(byLid.status).toBe(202);
    expect(byLid.body.chat).toBe(phoneJid);
    await events.waitFor(statusOf(byLid.body.id, 'delivered'), 10_000, 'by lid delivered');
    const inbox = (await sim.admin('GET', `/admin/contacts/${contact}/inbox`)).body.messages.map((m: any) => m.text);
    expect(inbox).toEqual(['by phone', 'by lid']);

    expect((await history(contact)).map((m) => m.text)).toEqual(['by lid', 'by phone', 'via lid']);
    expect(await history(lid)).toEqual(await history(contact));
    expect((await chats()).filter((c) => c.chat === phoneJid || c.chat === lid || c.lid === lid)).toHaveLength(1);
  });

  it('a contact addressing by phone number (with sender_lid) is the same phone chat, with its LID known', async () => {
    const contact = testPhone('62816');
    const phoneJid = `${contact}@s.whatsapp.net`;
    const e = await contactSend(contact, 'via phone number', 'pn');
    expect(e.data).toMatchObject({ chat: phoneJid, from: phoneJid, phone: contact, pushName: `User ${contact.slice(-4)}` });
    await contactSend(contact, 'then via lid', 'lid');
    const rows = (await chats()).filter((c) => c.phone === contact || c.chat === phoneJid);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ chat: phoneJid, lid: expect.stringMatching(/^\d+@lid$/), unread: 2 });
    expect((await history(rows[0].lid)).map((m) => m.text)).toEqual(['then via lid', 'via phone number']);
  });

  it('a contact first seen by LID only becomes one chat, with its history, once its number arrives', async () => {
    const contact = testPhone('62817');
    const phoneJid = `${contact}@s.whatsapp.net`;
    const first = await contactSend(contact, 'who am i', 'lid_only');
    const lid: string = first.data.chat;
    expect(lid).toMatch(/^\d+@lid$/);
    expect(first.data).toMatchObject({ from: lid, phone: null });
    expect((await chats()).find((c) => c.chat === lid)).toMatchObject({ phone: null, lid, name: `User ${contact.slice(-4)}` });
    const reply = await t.api.post(`/v1/sessions/${sessionId}/messages`, { to: lid, text: 'hello, stranger' });
    expect(reply.body.chat).toBe(lid);
    await events.waitFor(statusOf(reply.body.id, 'delivered'), 10_000, 'reply to a LID delivered');

    // a later message carries the number (sender_pn): the LID chat and the phone chat are one
    const second = await contactSend(contact, 'it is me', 'lid');
    expect(second.data).toMatchObject({ chat: phoneJid, phone: contact });
    const rows = (await chats()).filter((c) => c.chat === lid || c.chat === phoneJid || c.lid === lid);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ chat: phoneJid, phone: contact, lid, name: `User ${contact.slice(-4)}`, unread: 2 });
    expect((await history(contact)).map((m) => m.text)).toEqual(['it is me', 'hello, stranger', 'who am i']);
    expect(await history(lid)).toEqual(await history(contact));
    expect((await t.api.get(`/v1/sessions/${sessionId}/messages/${first.data.messageId}`)).body.chat).toBe(phoneJid);
  });

  it('rejects bad input with clear 4xx errors and stores nothing for it', async () => {
    const before = (await t.api.get(`/v1/sessions/${sessionId}/messages?limit=500`)).body.messages.length;
    const cases: Array<[unknown, number, string]> = [
      [{ to: '62811', text: 'x' }, 400, 'validation_failed'],
      [{ to: 'abc', text: 'x' }, 400, 'validation_failed'],
      [{ to: '123@g.us', text: 'x' }, 400, 'validation_failed'],
      [{ to: '6281234567890', text: '' }, 400, 'validation_failed'],
      [{ to: '6281234567890' }, 400, 'validation_failed'],
      [{ to: '6281234567890', text: 'x'.repeat(65_537) }, 400, 'validation_failed'],
      [{ to: '6281234567890', text: 'x', extra: 1 }, 400, 'validation_failed'],
      [{ to: 6281234567890, text: 'x' }, 400, 'validation_failed'],
      ['not json', 400, 'invalid_json'],
      // over KIRIM_MAX_BODY_BYTES (1 MiB)
      [{ to: '6281234567890', text: 'too big', pad: 'x'.repeat(1_100_000) }, 413, 'payload_too_large'],
    ];
    for (const [body, status, code] of cases) {
      const r = await t.api.post(`/v1/sessions/${sessionId}/messages`, body);
      expect([JSON.stringify(body).slice(0, 40), r.status, r.body.error?.code]).toEqual([JSON.stringify(body).slice(0, 40), status, code]);
      expect(r.body.error.message).toEqual(expect.any(String));
    }
    const reads: Array<[string, string, number, string]> = [
      ['POST', '/v1/sessions/ses_nope/messages', 404, 'session_not_found'],
      ['GET', `/v1/sessions/${sessionId}/messages/msg_nope`, 404, 'message_not_found'],
      ['GET', `/v1/sessions/${sessionId}/messages?limit=0`, 400, 'validation_failed'],
      ['GET', `/v1/sessions/${sessionId}/messages?cursor=@@@`, 400, 'validation_failed'],
      ['GET', `/v1/sessions/${sessionId}/messages?chat=abc`, 400, 'validation_failed'],
      ['GET', `/v1/sessions/${sessionId}/messages?chat=123@g.us`, 400, 'validation_failed'],
      ['GET', '/v1/sessions/ses_nope/messages', 404, 'session_not_found'],
      ['GET', '/v1/sessions/ses_nope/chats', 404, 'session_not_found'],
      ['GET', `/v1/sessions/${sessionId}/chats?limit=0`, 400, 'validation_failed'],
      ['POST', `/v1/sessions/${sessionId}/chats/abc/read`, 400, 'validation_failed'],
      ['POST', '/v1/sessions/ses_nope/chats/6281234567890/read', 404, 'session_not_found'],
    ];
    for (const [method, path, status, code] of reads) {
      const r = await t.api.request(method, path, method === 'POST' && path.endsWith('/messages') ? { to: '6281234567890', text: 'x' } : undefined);
      expect([method, path, r.status, r.body.error?.code]).toEqual([method, path, status, code]);
    }
    // a session that is not open answers 409
    const parked = (await t.api.post('/v1/sessions', { name: 'parked' })).body.id;
    await t.api.post(`/v1/sessions/${parked}/stop`);
    const r409 = await t.api.post(`/v1/sessions/${parked}/messages`, { to: '6281234567890', text: 'x' });
    expect(r409.status).toBe(409);
    expect(r409.body.error.code).toBe('session_not_open');
    await t.api.delete(`/v1/sessions/${parked}`);
    const after = (await t.api.get(`/v1/sessions/${sessionId}/messages?limit=500`)).body.messages;
    expect(after.length).toBe(before);
    expect(after.some((m: { text: string }) => m.text === 'too big')).toBe(false);
  });

  it(`answers 429 when the send queue is full (KIRIM_SEND_QUEUE_LIMIT=${QUEUE_LIMIT}), and stores nothing for the refused message`, async () => {
    const contact = testPhone('62818');
    proxy.hold(); // the first send waits for WhatsApp's answer to its device query: it stays in flight
    let accepted: string[];
    try {
      const first = await t.api.post(`/v1/sessions/${sessionId}/messages`, { to: contact, text: 'q1' });
      expect(first.status).toBe(202);
      // three at once for the one place left: one is accepted, the others refused (none half-stored)
      const racing = await Promise.all(['q2', 'q3', 'q4'].map((text) => t.api.post(`/v1/sessions/${sessionId}/messages`, { to: contact, text })));
      expect(racing.map((r) => r.status).sort()).toEqual([202, 429, 429]);
      for (const refused of racing.filter((r) => r.status === 429)) {
        expect(refused.body.error).toMatchObject({ code: 'queue_full', message: expect.stringMatching(/full/) });
      }
      accepted = [first.body.id, racing.find((r) => r.status === 202)!.body.id];
      const stored = await history(contact);
      expect(stored.map((m) => m.id).sort()).toEqual([...accepted].sort());
      expect(stored.every((m) => m.status === 'pending')).toBe(true);
    } finally {
      proxy.release();
    }
    for (const id of accepted) await events.waitFor(statusOf(id, 'delivered'), 15_000, `${id} delivered`);
    const texts = (await history(contact)).map((m) => m.text).reverse();
    expect(texts).toHaveLength(2);
    expect((await sim.admin('GET', `/admin/contacts/${contact}/inbox`)).body.messages.map((m: any) => m.text)).toEqual(texts);
    // there is room again
    const next = await t.api.post(`/v1/sessions/${sessionId}/messages`, { to: contact, text: 'q5' });
    expect(next.status).toBe(202);
    await events.waitFor(statusOf(next.body.id, 'delivered'), 10_000, 'q5 delivered');
  });

  it('messages still pending when the session is stopped fail with the reason, on the API and on SSE', async () => {
    const contact = testPhone('62819');
    proxy.hold();
    let ids: string[];
    try {
      const inFlight = await t.api.post(`/v1/sessions/${sessionId}/messages`, { to: contact, text: 'never sent 1' });
      const queued = await t.api.post(`/v1/sessions/${sessionId}/messages`, { to: contact, text: 'never sent 2' });
      ids = [inFlight.body.id, queued.body.id];
      expect((await t.api.post(`/v1/sessions/${sessionId}/stop`)).body.status).toBe('stopped');
      for (const id of ids) {
        const e = await events.waitFor(statusOf(id, 'failed'), 10_000, `${id} failed`);
        expect(e.data.data).toMatchObject({ messageId: id, status: 'failed', error: 'session stopped before WhatsApp accepted the message' });
        expect((await t.api.get(`/v1/sessions/${sessionId}/messages/${id}`)).body).toMatchObject({ id, status: 'failed', error: 'session stopped before WhatsApp accepted the message' });
      }
    } finally {
      proxy.release();
    }
    // started again (no new scan), a new message goes out at once, and the failed ones stay failed
    const mark = events.events.length;
    const since = (pred: (e: SseEvent) => boolean) => (e: SseEvent) => events.events.indexOf(e) >= mark && pred(e);
    expect((await t.api.post(`/v1/sessions/${sessionId}/start`)).status).toBe(200);
    await events.waitFor(since((e) => e.data.sessionId === sessionId && e.data.data?.status === 'open'), 15_000, 'open again');
    const after = await t.api.post(`/v1/sessions/${sessionId}/messages`, { to: contact, text: 'after the restart' });
    expect(after.status).toBe(202);
    await events.waitFor(statusOf(after.body.id, 'delivered'), 10_000, 'delivered after start');
    expect(events.events.slice(mark).some((e) => e.event === 'session.qr')).toBe(false);
    const inbox = (await sim.admin('GET', `/admin/contacts/${contact}/inbox`)).body.messages.map((m: any) => m.text);
    expect(inbox).toEqual(['after the restart']);
    for (const id of ids) expect((await t.api.get(`/v1/sessions/${sessionId}/messages/${id}`)).body.status).toBe('failed');
  });
});

/**
 * Messages accepted but not yet out when the gateway process goes away are stored as `pending`;
 * the next process sends them, in order, once the session is open again.
 */
describe('pending messages across a gateway restart', () => {
  let sim: TestSim;
  let proxy: TcpProxy;
  let dir: ReturnType<typeof tempDir>;
  let gw: GatewayProcess | undefined;
  const key = 'messaging-restart-key-0123456789';

  beforeAll(async () => {
    sim = await startTestSim();
    proxy = await startTcpProxy('127.0.0.1', Number(new URL(sim.sim.url).port));
    dir = tempDir();
  });
  afterAll(async () => {
    await gw?.stop('SIGKILL');
    await proxy?.close();
    await sim?.close();
    dir?.cleanup();
  });

  const start = async () => {
    gw = await startGatewayProcess({ KIRIM_DATA_DIR: dir.dir, KIRIM_SANDBOX_URL: `http://127.0.0.1:${proxy.port}`, KIRIM_API_KEY: key });
    const api = new ApiClient(gw.url, key);
    const events = openSse(`${gw.url}/v1/events`, { authorization: `Bearer ${key}` });
    await events.ready;
    return { api, events };
  };

  it('are sent after a SIGTERM and after a SIGKILL, in order, without a new scan', async () => {
    const account = testPhone('62831');
    const contact = testPhone('62832');
    let { api, events } = await start();
    const sessionId = (await api.post('/v1/sessions', { name: 'restart' })).body.id;
    const qr = await events.waitFor((e) => e.event === 'session.qr', 15_000, 'qr');
    await sim.admin('POST', '/admin/scan', { qr: qr.data.data.qr, phone: account });
    await events.waitFor((e) => e.data.data?.status === 'open', 15_000, 'open');

    const queueWhileHeld = async (texts: string[]) => {
      proxy.hold(); // WhatsApp is unreachable for a moment: the messages wait in the queue
      const ids: string[] = [];
      for (const text of texts) {
        const r = await api.post(`/v1/sessions/${sessionId}/messages`, { to: contact, text });
        expect(r.status).toBe(202);
        ids.push(r.body.id);
      }
      for (const id of ids) expect((await api.get(`/v1/sessions/${sessionId}/messages/${id}`)).body.status).toBe('pending');
      return ids;
    };
    const deliveredAfterRestart = async (ids: string[]) => {
      proxy.release();
      ({ api, events } = await start());
      await events.waitFor((e) => e.data.data?.status === 'open', 20_000, 'open after the restart');
      for (const id of ids) await events.waitFor((e) => e.event === 'message.status' && e.data.data.messageId === id && e.data.data.status === 'delivered', 20_000, `${id} delivered`);
      expect(events.events.some((e) => e.event === 'session.qr')).toBe(false);
      for (const id of ids) expect((await api.get(`/v1/sessions/${sessionId}/messages/${id}`)).body.status).toBe('delivered');
    };

    const graceful = await queueWhileHeld(['before SIGTERM 1', 'before SIGTERM 2', 'before SIGTERM 3']);
    events.close();
    expect(await gw!.stop('SIGTERM')).toBe(0);
    await deliveredAfterRestart(graceful);

    const crashed = await queueWhileHeld(['before SIGKILL 1', 'before SIGKILL 2']);
    events.close();
    expect(await gw!.stop('SIGKILL')).toBe(null);
    await deliveredAfterRestart(crashed);
    events.close();

    const inbox = (await sim.admin('GET', `/admin/contacts/${contact}/inbox`)).body.messages.map((m: any) => m.text);
    expect(inbox).toEqual(['before SIGTERM 1', 'before SIGTERM 2', 'before SIGTERM 3', 'before SIGKILL 1', 'before SIGKILL 2']);
  }, 120_000);
});
