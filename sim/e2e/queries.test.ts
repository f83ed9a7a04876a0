import { beforeAll, describe, expect, it } from 'vitest';
import type { TestClient } from '../testing/baileys-client.js';
import { useSimulator } from '../testing/sim-fixture.js';

describe('queries a linked client makes', () => {
  const fixture = useSimulator('all');
  let client: TestClient;

  beforeAll(async () => {
    client = fixture.client();
    await client.linkByQr(fixture.admin, '15550300001');
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
    await second.linkByQr(fixture.admin, '15550300001');
    const devices = await client.sock!.getUSyncDevices(['15550300001@s.whatsapp.net', '15550300077@s.whatsapp.net'], false, false);
    expect(devices.map((d) => `${d.user}:${d.device}`).sort()).toEqual(['15550300001:0', '15550300001:2', '15550300077:0']);
    const mapping = await client.sock!.signalRepository.lidMapping.getLIDForPN('15550300077@s.whatsapp.net');
    expect(mapping).toMatch(/^\d+@lid$/);
    const contacts = await fixture.admin.request('GET', '/admin/accounts/15550300077');
    expect(contacts.status).toBe(404);
  });

  it('answers unknown iqs with an empty result instead of leaving them hanging', async () => {
    const started = Date.now();
    expect(await client.sock!.profilePictureUrl('15550300099@s.whatsapp.net')).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
