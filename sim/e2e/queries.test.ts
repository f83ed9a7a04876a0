import { generateMessageID } from 'baileys';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestClient } from '../testing/baileys-client.js';
import { useSimulator } from '../testing/sim-fixture.js';

const ACCOUNT = '15550300001';
const CONTACT = '15550300002';
const DELIVERED = 3;
const READ = 4;
/** what Baileys uploads when the server holds none of its prekeys (INITIAL_PREKEY_COUNT) */
const INITIAL_PREKEYS = 812;

describe('queries a linked client makes', () => {
  const fixture = useSimulator('all');
  let client: TestClient;

  const device = async () => (await fixture.admin.ok('GET', `/admin/accounts/${ACCOUNT}`)).devices[0];

  beforeAll(async () => {
    client = fixture.client();
    await client.linkByQr(fixture.admin, ACCOUNT);
  });

  it('holds the prekeys uploaded after pairing, and a plain reconnect uploads none', async () => {
    expect((await device()).preKeys).toBe(INITIAL_PREKEYS);
    expect((await fixture.admin.stats()).preKeyUploads).toBe(1);
    await client.end();
    await client.reconnect();
    const stats = await fixture.admin.stats();
    expect(stats.handshakes).toBe(3); // pairing, login after the 515, this reconnect
    expect(stats.preKeyUploads).toBe(1);
    expect((await device()).preKeys).toBe(INITIAL_PREKEYS);
  });

  it('answers every iq of pairing, login, reconnect and a message exchange with a real handler', async () => {
    const id = generateMessageID();
    await client.sock!.sendMessage(`${CONTACT}@s.whatsapp.net`, { text: 'hello' }, { messageId: id });
    await client.waitForStatus(id, DELIVERED);
    await fixture.admin.contactSend(CONTACT, ACCOUNT, 'hello back');
    const { message } = await client.waitForText('hello back');
    await fixture.admin.contactRead(CONTACT, [id]);
    await client.waitForStatus(id, READ);
    await client.sock!.readMessages([message.key]);
    // an iq round-trip after everything above: the simulator has handled every earlier stanza by now
    await client.sock!.query({ tag: 'iq', attrs: { to: '@s.whatsapp.net', type: 'get', xmlns: 'w:p' }, content: [{ tag: 'ping', attrs: {} }] });
    const stats = await fixture.admin.stats();
    expect(stats.messages).toBe(2);
    expect(stats.unhandledIqKinds).toEqual([]);
    expect(stats.unhandledIqs).toBe(0);
    expect(stats.retryReceipts).toBe(0);
  });

  it('answers keepalive pings', async () => {
    const reply = await client.sock!.query({ tag: 'iq', attrs: { to: '@s.whatsapp.net', type: 'get', xmlns: 'w:p' }, content: [{ tag: 'ping', attrs: {} }] });
    expect(reply.attrs.type).toBe('result');
  });

  it('says every phone number is on WhatsApp (onWhatsApp)', async () => {
    const found = await client.sock!.onWhatsApp('15550300099', '+1 555 030 0098');
    expect(found).toEqual([
      { jid: '15550300099@s.whatsapp.net', exists: true },
      { jid: '15550300098@s.whatsapp.net', exists: true },
    ]);
  });

  it("lists the account's own devices with key indexes, and LIDs", async () => {
    const second = fixture.client();
    await second.linkByQr(fixture.admin, ACCOUNT);
    const devices = await client.sock!.getUSyncDevices([`${ACCOUNT}@s.whatsapp.net`, '15550300077@s.whatsapp.net'], false, false);
    expect(devices.map((d) => `${d.user}:${d.device}`).sort()).toEqual([`${ACCOUNT}:0`, `${ACCOUNT}:2`, '15550300077:0']);
    const mapping = await client.sock!.signalRepository.lidMapping.getLIDForPN('15550300077@s.whatsapp.net');
    expect(mapping).toMatch(/^\d+@lid$/);
    const contacts = await fixture.admin.request('GET', '/admin/accounts/15550300077');
    expect(contacts.status).toBe(404);
  });

  it('answers unknown iqs with an empty result instead of leaving them hanging, and counts them', async () => {
    const before = (await fixture.admin.stats()).unhandledIqs;
    const started = Date.now();
    expect(await client.sock!.profilePictureUrl('15550300099@s.whatsapp.net')).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2000);
    const stats = await fixture.admin.stats();
    expect(stats.unhandledIqs).toBe(before + 1);
    expect(stats.unhandledIqKinds).toContainEqual({ xmlns: 'w:profile:picture', type: 'get', child: 'picture', count: 1 });
  });

  it('counts retry receipts: a message the client could not decrypt', async () => {
    await fixture.admin.contactSend(CONTACT, ACCOUNT, 'before');
    const { message } = await client.waitForText('before');
    // the client loses its session with the contact: the next message cannot be decrypted at first
    await client.keys.set({ session: { [`${message.key.remoteJid!.split('@')[0]}_1.0`]: null } });
    await fixture.admin.contactSend(CONTACT, ACCOUNT, 'after');
    await client.waitForText('after');
    expect((await fixture.admin.stats()).retryReceipts).toBe(1);
  });
});
