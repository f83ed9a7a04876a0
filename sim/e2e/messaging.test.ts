import { generateMessageID, type BinaryNode } from 'baileys';
import { describe, expect, it } from 'vitest';
import { messageText, type TestClient } from '../testing/baileys-client.js';
import { useSimulator } from '../testing/sim-fixture.js';

const ACCOUNT = '15550100001';
const ALICE = '15550200001';
const BOB = '15550200002';
const DELIVERED = 3;
const READ = 4;

describe('messaging between linked devices and simulated contacts', () => {
  const fixture = useSimulator();
  const client = () => fixture.client();

  /** Sends `text` from the client's open socket with a known id (so waits can start before the send). */
  async function send(c: TestClient, to: string, text: string): Promise<string> {
    const messageId = generateMessageID();
    await c.sock!.sendMessage(to, { text }, { messageId });
    return messageId;
  }

  it('delivers a text to a contact, who decrypts it; status goes to delivered, then read', async () => {
    const c = client();
    await c.linkByQr(fixture.admin, ACCOUNT);
    const id = await send(c, `${ALICE}@s.whatsapp.net`, 'hello alice');
    expect(await c.waitForStatus(id, DELIVERED)).toBeGreaterThanOrEqual(DELIVERED);
    const inbox = await fixture.admin.contactInbox(ALICE);
    expect(inbox.messages).toEqual([expect.objectContaining({ id, from: ACCOUNT, text: 'hello alice' })]);
    expect(c.statuses.get(id)).toBe(DELIVERED);
    await fixture.admin.contactRead(ALICE, [id]);
    expect(await c.waitForStatus(id, READ)).toBe(READ);
    expect((await fixture.admin.stats()).messages).toBe(1);
  });

  it("records the copy for the account's own phone (DeviceSentMessage)", async () => {
    const c = client();
    await c.linkByQr(fixture.admin, ACCOUNT);
    const id = await send(c, `${ALICE}@s.whatsapp.net`, 'note for my phone');
    await c.waitForStatus(id, DELIVERED);
    const own = await fixture.admin.accountInbox(ACCOUNT);
    expect(own.messages).toEqual([expect.objectContaining({ id, from: ACCOUNT, to: ALICE, text: 'note for my phone' })]);
  });

  it('delivers a contact message LID-addressed with the sender phone number', async () => {
    const c = client();
    await c.linkByQr(fixture.admin, ACCOUNT);
    const { messageId } = await fixture.admin.contactSend(ALICE, ACCOUNT, 'hi from alice');
    const { message, type } = await c.waitForText('hi from alice');
    expect(type).toBe('notify');
    expect(message.key.id).toBe(messageId);
    expect(message.key.fromMe).toBe(false);
    expect(message.key.remoteJid).toMatch(/^\d+@lid$/);
    expect(message.key.remoteJidAlt).toBe(`${ALICE}@s.whatsapp.net`);
    expect(message.pushName).toBe('User 0001');
  });

  it('delivers a contact message phone-number-addressed when asked', async () => {
    const c = client();
    await c.linkByQr(fixture.admin, ACCOUNT);
    await fixture.admin.ok('POST', `/admin/contacts/${BOB}/send`, { to: ACCOUNT, text: 'hi by number', addressing: 'pn' });
    const { message } = await c.waitForText('hi by number');
    expect(message.key.remoteJid).toBe(`${BOB}@s.whatsapp.net`);
    expect(message.key.remoteJidAlt).toMatch(/^\d+@lid$/);
  });

  it('delivers a contact message LID-addressed without the phone number when asked; the client learns none', async () => {
    const c = client();
    await c.linkByQr(fixture.admin, ACCOUNT);
    const raw = c.waitForFrame((f) => f.tag === 'message' && f.attrs.category !== 'peer');
    await fixture.admin.ok('POST', `/admin/contacts/${BOB}/send`, { to: ACCOUNT, text: 'guess who', addressing: 'lid_only' });
    const stanza = await raw;
    expect(stanza.attrs).toMatchObject({ addressing_mode: 'lid', from: expect.stringMatching(/^\d+@lid$/) });
    expect(stanza.attrs.sender_pn).toBeUndefined();
    const { message } = await c.waitForText('guess who');
    expect(message.key.remoteJid).toBe(stanza.attrs.from);
    expect(message.key.remoteJidAlt).toBeUndefined();
    expect(await c.sock!.signalRepository.lidMapping.getPNForLID(stanza.attrs.from)).toBeNull();
    // the account's own phone has it in the LID chat
    const own = await fixture.admin.accountInbox(ACCOUNT);
    expect(own.messages).toEqual([expect.objectContaining({ from: BOB, text: 'guess who' })]);
    // a bad addressing value is refused
    const bad = await fixture.admin.request('POST', `/admin/contacts/${BOB}/send`, { to: ACCOUNT, text: 'x', addressing: 'carrier-pigeon' });
    expect(bad.status).toBe(400);
  });

  it("tracks the client's delivery and read receipts for a contact's message", async () => {
    const c = client();
    await c.linkByQr(fixture.admin, ACCOUNT);
    const { messageId } = await fixture.admin.contactSend(ALICE, ACCOUNT, 'please read');
    const delivered = c.waitForFrame((f) => f.tag === 'ack' && f.attrs.class === 'receipt' && f.attrs.id === messageId);
    const { message } = await c.waitForText('please read');
    await delivered;
    expect((await fixture.admin.ok('GET', `/admin/contacts/${ALICE}/outbox`)).messages[0]).toMatchObject({ id: messageId, to: ACCOUNT, status: 'delivered' });
    const read = c.waitForFrame((f) => f.tag === 'ack' && f.attrs.type === 'read' && f.attrs.id === messageId);
    await c.sock!.readMessages([message.key]);
    await read;
    expect((await fixture.admin.ok('GET', `/admin/contacts/${ALICE}/outbox`)).messages[0].status).toBe('read');
  });

  it('queues messages for an offline device and delivers them (offline) at its next login', async () => {
    const c = client();
    await c.linkByQr(fixture.admin, ACCOUNT);
    await c.end();
    await fixture.admin.contactSend(ALICE, ACCOUNT, 'while you were away');
    await fixture.admin.contactSend(BOB, ACCOUNT, 'me too');
    c.connect();
    const caughtUp = c.waitFor('connection.update', (u) => u.receivedPendingNotifications === true);
    const first = await c.waitForText('while you were away');
    const second = await c.waitForText('me too');
    expect(first.type).toBe('append');
    expect(second.type).toBe('append');
    await caughtUp;
  });

  it('hands over history on the first login, so queued messages arrive without the 20 s wait', async () => {
    const c = client();
    c.connect();
    const qr = await c.waitForQr();
    const closed = c.waitForClose();
    await fixture.admin.scan(qr, ACCOUNT);
    await closed;
    await fixture.admin.contactSend(ALICE, ACCOUNT, 'before first login');
    const started = Date.now();
    c.connect();
    const history = c.waitFor('messaging-history.set', () => true, 5000);
    await c.waitForText('before first login', 5000);
    await history;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(c.creds.accountSyncCounter).toBe(1);
  });

  it('exchanges several messages both ways with two contacts (pkmsg first, then msg)', async () => {
    const c = client();
    await c.linkByQr(fixture.admin, ACCOUNT);
    const encTypes: string[] = [];
    c.sock!.ws.on('CB:message', (node: BinaryNode) => {
      const enc = (node.content as BinaryNode[]).find((n) => n.tag === 'enc');
      if (enc && node.attrs.category !== 'peer') encTypes.push(enc.attrs.type);
    });
    for (let round = 1; round <= 3; round++) {
      for (const contact of [ALICE, BOB]) {
        const id = await send(c, `${contact}@s.whatsapp.net`, `to ${contact} #${round}`);
        await c.waitForStatus(id, DELIVERED);
        await fixture.admin.contactSend(contact, ACCOUNT, `from ${contact} #${round}`);
        await c.waitForText(`from ${contact} #${round}`);
      }
    }
    for (const contact of [ALICE, BOB]) {
      const inbox = await fixture.admin.contactInbox(contact);
      expect(inbox.messages.map((m) => m.text)).toEqual([1, 2, 3].map((r) => `to ${contact} #${r}`));
    }
    expect(encTypes).toHaveLength(6);
    expect(encTypes.every((t) => t === 'msg')).toBe(true);
    expect((await fixture.admin.stats()).messages).toBe(12);
  });

  it('answers a retry receipt by resending on a new session', async () => {
    const c = client();
    await c.linkByQr(fixture.admin, ACCOUNT);
    await fixture.admin.contactSend(ALICE, ACCOUNT, 'first');
    const { message } = await c.waitForText('first');
    // the companion loses its session with Alice: her next message (a "msg") cannot be decrypted
    const lid = message.key.remoteJid!.split('@')[0];
    await c.keys.set({ session: { [`${lid}_1.0`]: null } });
    await fixture.admin.contactSend(ALICE, ACCOUNT, 'second');
    const second = await c.waitForText('second');
    expect(second.message.key.remoteJid).toBe(message.key.remoteJid);
  });

  it('copies a message to a sibling device of the same account', async () => {
    const first = client();
    const second = client();
    await first.linkByQr(fixture.admin, ACCOUNT);
    await second.linkByQr(fixture.admin, ACCOUNT);
    const id = await send(first, `${ALICE}@s.whatsapp.net`, 'seen on both devices');
    const copy = await second.waitForText('seen on both devices');
    expect(copy.message.key).toMatchObject({ id, fromMe: true });
    await first.waitForStatus(id, DELIVERED);
    await fixture.admin.contactSend(BOB, ACCOUNT, 'to both devices');
    await Promise.all([first.waitForText('to both devices'), second.waitForText('to both devices')]);
  });

  it('routes messages between two accounts', async () => {
    const a = client();
    const b = client();
    await a.linkByQr(fixture.admin, ACCOUNT);
    await b.linkByQr(fixture.admin, '15550100002');
    const id = await send(a, '15550100002@s.whatsapp.net', 'account to account');
    const got = await b.waitForText('account to account');
    expect(got.message.key.id).toBe(id);
    expect(messageText(got.message)).toBe('account to account');
    await a.waitForStatus(id, DELIVERED);
    const phone = await fixture.admin.accountInbox('15550100002');
    expect(phone.messages).toEqual([expect.objectContaining({ id, from: ACCOUNT, text: 'account to account' })]);
  });
});
