import { describe, expect, it } from 'vitest';
import { useSimulator } from '../testing/sim-fixture.js';

describe('linking and logging in with unmodified Baileys', () => {
  const fixture = useSimulator();
  const client = () => fixture.client();

  it('links a device by QR scan, restarts with 515 and opens', async () => {
    const c = client();
    const linked = await c.linkByQr(fixture.admin, '15550001111');
    expect(linked).toMatchObject({ phone: '15550001111', jid: '15550001111:1@s.whatsapp.net' });
    expect(c.creds.me?.id).toBe('15550001111:1@s.whatsapp.net');
    expect(c.creds.me?.lid).toMatch(/^\d+:1@lid$/);
    expect(c.creds.me?.name).toBe('User 1111');
    const account = await fixture.admin.ok('GET', '/admin/accounts/15550001111');
    expect(account.devices).toEqual([expect.objectContaining({ id: 1, online: true })]);
  });

  it('gives an account increasing device ids and a random phone when none is given', async () => {
    const first = await client().linkByQr(fixture.admin);
    expect(first.phone).toMatch(/^\d{11}$/);
    const second = await client().linkByQr(fixture.admin, first.phone);
    expect(second.jid).toBe(`${first.phone}:2@s.whatsapp.net`);
  });

  it('logs in again from saved creds without a QR', async () => {
    const c = client();
    await c.linkByQr(fixture.admin, '15550001112');
    await c.end();
    c.connect();
    let sawQr = false;
    c.sock!.ev.on('connection.update', (u) => (sawQr ||= !!u.qr));
    await c.waitForOpen();
    expect(sawQr).toBe(false);
  });

  it('still knows linked devices after a restart on the same data dir', async () => {
    const c = client();
    await c.linkByQr(fixture.admin, '15550001113');
    await c.end();
    c.useSimulator(await fixture.restart());
    await c.reconnect();
    expect(c.creds.me?.id).toBe('15550001113:1@s.whatsapp.net');
  });

  it('links a device with a pairing code', async () => {
    const c = client();
    c.connect();
    await c.waitForQr();
    const code = await c.requestPairingCode('15550002222');
    const closed = c.waitForClose();
    const linked = await fixture.admin.pairingCode('15550002222', code);
    expect(linked.jid).toBe('15550002222:1@s.whatsapp.net');
    expect(await closed).toBe(515);
    await c.reconnect();
    expect(c.creds.me?.id).toBe('15550002222:1@s.whatsapp.net');
  });

  it('refuses a wrong pairing code and then accepts the right one', async () => {
    const c = client();
    c.connect();
    await c.waitForQr();
    const code = await c.requestPairingCode('15550002223');
    const wrong = code.slice(0, 7) + (code[7] === 'A' ? 'B' : 'A');
    const refused = await fixture.admin.request('POST', '/admin/pairing-code', { phone: '15550002223', code: wrong });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('wrong_pairing_code');
    const closed = c.waitForClose();
    await fixture.admin.pairingCode('15550002223', code);
    expect(await closed).toBe(515);
    await c.reconnect();
  });

  it('ends the QR with 408 when every ref expired', async () => {
    const c = client();
    const qrs: string[] = [];
    c.connect({ qrTimeout: 40 });
    c.sock!.ev.on('connection.update', (u) => u.qr && qrs.push(u.qr));
    expect(await c.waitForClose()).toBe(408);
    expect(new Set(qrs.map((qr) => qr.split('#')[1].split(',')[0])).size).toBe(6);
    const stale = await fixture.admin.request('POST', '/admin/scan', { qr: qrs[0] });
    expect(stale.status).toBe(404);
  });

  it('logs a device out: 401 now, and its creds are refused later', async () => {
    const c = client();
    await c.linkByQr(fixture.admin, '15550003333');
    const closed = c.waitForClose();
    expect((await fixture.admin.logout('15550003333')).removedDevices).toEqual([1]);
    expect(await closed).toBe(401);
    c.connect();
    expect(await c.waitForClose()).toBe(401);
  });

  it('unlinks a device that logs itself out', async () => {
    const c = client();
    await c.linkByQr(fixture.admin, '15550003334');
    const closed = c.waitForClose();
    await c.sock!.logout();
    expect(await closed).toBe(401);
    c.connect();
    expect(await c.waitForClose()).toBe(401);
    expect((await fixture.admin.ok('GET', '/admin/accounts/15550003334')).devices).toEqual([]);
  });

  it('drops sockets without a goodbye; the device reconnects', async () => {
    const c = client();
    await c.linkByQr(fixture.admin, '15550004444');
    const closed = c.waitForClose();
    expect((await fixture.admin.drop('15550004444')).droppedConnections).toBe(1);
    expect(await closed).toBe(428);
    await c.reconnect();
  });

  it('replaces the older connection of a device connected twice (440) and counts the conflict', async () => {
    const a = client();
    await a.linkByQr(fixture.admin, '15550005555');
    expect((await fixture.admin.stats()).conflicts).toBe(0);
    const b = fixture.track(a.sameDevice());
    const replaced = a.waitForClose();
    await b.reconnect();
    expect(await replaced).toBe(440);
    expect((await fixture.admin.stats()).conflicts).toBe(1);
  });

  it('does not count a clean reconnect as a conflict', async () => {
    const c = client();
    await c.linkByQr(fixture.admin, '15550006666');
    await c.end();
    await c.reconnect();
    const stats = await fixture.admin.stats();
    expect(stats.conflicts).toBe(0);
    expect(stats.connections).toBe(1);
    expect(stats.handshakes).toBe(3);
  });
});
