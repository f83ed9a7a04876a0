import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSim, testPhone, type TestSim } from '../support/sim.js';
import { startTestGateway, type TestGateway } from '../support/gateway-in-process.js';
import { tempDir } from '../support/temp-dir.js';
import type { SseClient } from '../support/sse.js';

/** Messages both ways through the public API against the simulator's Signal-speaking contacts. */
describe('messaging e2e', () => {
  let sim: TestSim;
  let t: TestGateway;
  let dir: ReturnType<typeof tempDir>;
  let sessionId: string;
  let account: string;
  let events: SseClient;

  beforeAll(async () => {
    sim = await startTestSim();
    dir = tempDir();
    t = await startTestGateway({ KIRIM_DATA_DIR: dir.dir, KIRIM_SANDBOX_URL: sim.sim.url });
    events = t.sse();
    await events.ready;
    sessionId = (await t.api.post('/v1/sessions', { name: 'messaging' })).body.id;
    const qr = await events.waitFor((e) => e.event === 'session.qr' && e.data.sessionId === sessionId, 10_000, 'qr');
    account = testPhone('62812');
    expect((await sim.admin('POST', '/admin/scan', { qr: qr.data.data.qr, phone: account })).status).toBe(200);
    await events.waitFor((e) => e.data.sessionId === sessionId && e.data.data?.status === 'open', 15_000, 'open');
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
    dir?.cleanup();
  });

  const statusOf = (id: string, status: string) => (e: { event: string; data: any }) =>
    e.event === 'message.status' && e.data.data.messageId === id && e.data.data.status === status;

  it('sends a text: the contact receives it, and the status goes sent → delivered → read', async () => {
    const contact = testPhone('62813');
    const sent = await t.api.post(`/v1/sessions/${sessionId}/messages`, { to: contact, text: 'Halo dari kirim' });
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({ status: 'pending', chat: `${contact}@s.whatsapp.net` });
    const id = sent.body.id;
    await events.waitFor(statusOf(id, 'sent'), 10_000, 'sent');
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

  it('receives texts from a contact as message.received, in order, and keeps them in history', async () => {
    const contact = testPhone('62814');
    const ids: string[] = [];
    for (const text of ['first', 'second', 'third']) {
      const r = await sim.admin('POST', `/admin/contacts/${contact}/send`, { to: account, text });
      expect(r.status).toBe(200);
      ids.push(r.body.messageId);
    }
    for (const text of ['first', 'second', 'third']) {
      const e = await events.waitFor((x) => x.event === 'message.received' && x.data.data.text === text && x.data.data.from.includes(contact), 10_000, text);
      expect(e.data).toMatchObject({ type: 'message.received', sessionId });
      expect(e.data.data).toMatchObject({ chat: `${contact}@s.whatsapp.net`, phone: contact });
      expect(ids).toContain(e.data.data.waId);
    }
    const hist = await t.api.get(`/v1/sessions/${sessionId}/messages?chat=${contact}&limit=10`);
    expect(hist.status).toBe(200);
    expect(hist.body.messages.map((m: { text: string }) => m.text)).toEqual(['third', 'second', 'first']);
    expect(hist.body.messages.every((m: { direction: string }) => m.direction === 'in')).toBe(true);

    // a reply goes to the same chat: history shows both directions, newest first, with paging
    const reply = await t.api.post(`/v1/sessions/${sessionId}/messages`, { to: `${contact}@s.whatsapp.net`, text: 'reply' });
    await events.waitFor(statusOf(reply.body.id, 'delivered'), 10_000, 'reply delivered');
    const page1 = await t.api.get(`/v1/sessions/${sessionId}/messages?chat=${contact}&limit=2`);
    expect(page1.body.messages.map((m: { text: string }) => m.text)).toEqual(['reply', 'third']);
    const page2 = await t.api.get(`/v1/sessions/${sessionId}/messages?chat=${contact}&limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.messages.map((m: { text: string }) => m.text)).toEqual(['second', 'first']);

    const chats = await t.api.get(`/v1/sessions/${sessionId}/chats`);
    const chat = chats.body.chats.find((c: { chat: string }) => c.chat === `${contact}@s.whatsapp.net`);
    expect(chat).toMatchObject({ unread: 3, phone: contact });
    expect(chat.lastMessage.text).toBe('reply');
    const read = await t.api.post(`/v1/sessions/${sessionId}/chats/${contact}/read`);
    expect(read.body.read).toBe(3);
  });

  it('a contact known by LID and by phone number is one chat', async () => {
    const contact = testPhone('62815');
    await sim.admin('POST', `/admin/contacts/${contact}/send`, { to: account, text: 'via lid' });
    const e = await events.waitFor((x) => x.event === 'message.received' && x.data.data.text === 'via lid', 10_000, 'via lid');
    expect(e.data.data.chat).toBe(`${contact}@s.whatsapp.net`);
    const sent = await t.api.post(`/v1/sessions/${sessionId}/messages`, { to: contact, text: 'by phone' });
    await events.waitFor(statusOf(sent.body.id, 'delivered'), 10_000, 'delivered');
    const hist = await t.api.get(`/v1/sessions/${sessionId}/messages?chat=${contact}`);
    expect(hist.body.messages.map((m: { text: string }) => m.text)).toEqual(['by phone', 'via lid']);
  });

  it('rejects bad sends with clear 4xx errors and stores nothing for them', async () => {
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
    ];
    for (const [body, status, code] of cases) {
      const r = await t.api.post(`/v1/sessions/${sessionId}/messages`, body);
      expect([JSON.stringify(body).slice(0, 40), r.status, r.body.error?.code]).toEqual([JSON.stringify(body).slice(0, 40), status, code]);
    }
    expect((await t.api.post('/v1/sessions/ses_nope/messages', { to: '6281234567890', text: 'x' })).status).toBe(404);
    expect((await t.api.get(`/v1/sessions/${sessionId}/messages/msg_nope`)).status).toBe(404);
    expect((await t.api.get(`/v1/sessions/${sessionId}/messages?limit=0`)).status).toBe(400);
    expect((await t.api.get(`/v1/sessions/${sessionId}/messages?cursor=@@@`)).status).toBe(400);
    // a session that is not open answers 409
    const parked = (await t.api.post('/v1/sessions', { name: 'parked' })).body.id;
    await t.api.post(`/v1/sessions/${parked}/stop`);
    const r409 = await t.api.post(`/v1/sessions/${parked}/messages`, { to: '6281234567890', text: 'x' });
    expect(r409.status).toBe(409);
    expect(r409.body.error.code).toBe('session_not_open');
    const after = (await t.api.get(`/v1/sessions/${sessionId}/messages?limit=500`)).body.messages.length;
    expect(after).toBe(before);
  });
});
