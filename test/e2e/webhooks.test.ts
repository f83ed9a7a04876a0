import net from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../../src/webhooks/testing/receiver.js';
import { startTestSim, testPhone, type TestSim } from '../support/sim.js';
import { startTestGateway, type TestGateway } from '../support/gateway-in-process.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { ApiClient } from '../support/api-client.js';
import { openSse } from '../support/sse.js';
import { tempDir } from '../support/temp-dir.js';

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('webhooks e2e', () => {
  let sim: TestSim;
  beforeAll(async () => {
    sim = await startTestSim();
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('delivers message.received signed per Standard Webhooks, verified as a receiver would', async () => {
    const dir = tempDir();
    const receiver = await startReceiver();
    const t: TestGateway = await startTestGateway({ KIRIM_DATA_DIR: dir.dir, KIRIM_SANDBOX_URL: sim.sim.url, KIRIM_ALLOW_PRIVATE_URLS: '1' });
    try {
      const hook = await t.api.post('/v1/webhooks', { url: receiver.url, events: ['message.received'] });
      expect(hook.status).toBe(201);
      expect(hook.body.secret).toMatch(/^whsec_/);
      const events = t.sse();
      await events.ready;
      const id = (await t.api.post('/v1/sessions', {})).body.id;
      const qr = await events.waitFor((e) => e.event === 'session.qr', 10_000, 'qr');
      const account = testPhone('62821');
      await sim.admin('POST', '/admin/scan', { qr: qr.data.data.qr, phone: account });
      await events.waitFor((e) => e.data.data?.status === 'open', 15_000, 'open');
      const contact = testPhone('62822');
      await sim.admin('POST', `/admin/contacts/${contact}/send`, { to: account, text: 'webhook me' });
      const receipt = (await receiver.receipts.until((rs) => rs.some((r) => r.body.includes('webhook me')))).find((r) => r.body.includes('webhook me'))!;
      const verified = new Webhook(hook.body.secret).verify(receipt.body, receipt.headers) as any;
      expect(verified).toMatchObject({ type: 'message.received', sessionId: id, data: { text: 'webhook me', chat: `${contact}@s.whatsapp.net` } });
      expect(receipt.headers['webhook-id']).toBe(verified.id);
      expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(receipt.body, receipt.headers)).toThrow();
      // only the subscribed type was sent
      expect(receiver.receipts.items.every((r) => JSON.parse(r.body).type === 'message.received')).toBe(true);
      // the receiver answered; the outbox records it as delivered right after
      let delivery: any;
      for (let i = 0; i < 100 && delivery?.status !== 'delivered'; i++) {
        if (i) await new Promise((r) => setTimeout(r, 20));
        delivery = (await t.api.get(`/v1/webhooks/${hook.body.id}/deliveries`)).body.deliveries[0];
      }
      expect(delivery).toMatchObject({ status: 'delivered', eventType: 'message.received', attempts: 1 });
    } finally {
      await t.close();
      await receiver.close();
      dir.cleanup();
    }
  });

  it('an event that could not be delivered before a crash is delivered after the gateway restarts', async () => {
    const dir = tempDir();
    const port = await freePort(); // nothing listens here yet: the receiver is down
    const key = 'webhook-restart-key-0123456789';
    const env = { KIRIM_DATA_DIR: dir.dir, KIRIM_SANDBOX_URL: sim.sim.url, KIRIM_API_KEY: key, KIRIM_ALLOW_PRIVATE_URLS: '1' };
    let gw: GatewayProcess | undefined = await startGatewayProcess(env);
    let receiver: Receiver | undefined;
    try {
      const api = new ApiClient(gw.url, key);
      const hook = (await api.post('/v1/webhooks', { url: `http://127.0.0.1:${port}/hook`, events: ['session.qr'] })).body;
      const events = openSse(`${gw.url}/v1/events`, { authorization: `Bearer ${key}` });
      await events.ready;
      await api.post('/v1/sessions', { name: 'crash' });
      const qr = await events.waitFor((e) => e.event === 'session.qr', 10_000, 'qr');
      events.close();
      // the first attempt failed (connection refused) and a retry is scheduled
      for (let i = 0; ; i++) {
        const d = (await api.get(`/v1/webhooks/${hook.id}/deliveries`)).body.deliveries.find((x: any) => x.eventId === qr.data.id);
        if (d?.attempts >= 1 && d.status === 'pending') {
          expect(d.lastError).toMatch(/ECONNREFUSED|refused/i);
          break;
        }
        if (i > 300) throw new Error(`no failed attempt recorded: ${JSON.stringify(d)}`);
        await new Promise((r) => setTimeout(r, 50)); // polling the API across processes
      }
      expect(await gw.stop('SIGKILL')).toBe(null);
      receiver = await startReceiver(() => 200, port);
      gw = await startGatewayProcess(env);
      const got = (await receiver.receipts.until((rs) => rs.some((r) => r.headers['webhook-id'] === qr.data.id))).find((r) => r.headers['webhook-id'] === qr.data.id)!;
      const verified = new Webhook(hook.secret).verify(got.body, got.headers) as any;
      expect(verified.data.qr).toBe(qr.data.data.qr);
    } finally {
      await gw?.stop('SIGKILL');
      await receiver?.close();
      dir.cleanup();
    }
  });

  it('answers 413 to a webhook body over KIRIM_MAX_BODY_BYTES and stores nothing; the next call works', async () => {
    const dir = tempDir();
    const t = await startTestGateway({ KIRIM_DATA_DIR: dir.dir, KIRIM_SANDBOX_URL: sim.sim.url, KIRIM_ALLOW_PRIVATE_URLS: '1', KIRIM_MAX_BODY_BYTES: '4096' });
    try {
      const big = await t.api.post('/v1/webhooks', { url: 'http://127.0.0.1:9/big', events: ['message.received'], pad: 'x'.repeat(1_000_000) });
      expect(big.status).toBe(413);
      expect(big.body.error).toMatchObject({ code: 'payload_too_large', message: expect.stringMatching(/4096 bytes/) });
      // the same client (keep-alive) goes on: the refused body does not break the next request
      expect((await t.api.get('/v1/webhooks')).body.webhooks).toEqual([]);
      const ok = await t.api.post('/v1/webhooks', { url: 'http://127.0.0.1:9/small' });
      expect(ok.status).toBe(201);
      expect((await t.api.get('/v1/webhooks')).body.webhooks.map((w: { url: string }) => w.url)).toEqual(['http://127.0.0.1:9/small']);
    } finally {
      await t.close();
      dir.cleanup();
    }
  });

  it('refuses private webhook URLs unless KIRIM_ALLOW_PRIVATE_URLS=1', async () => {
    const dir = tempDir();
    const t = await startTestGateway({ KIRIM_DATA_DIR: dir.dir, KIRIM_SANDBOX_URL: sim.sim.url });
    try {
      for (const url of ['http://127.0.0.1:9/x', 'http://localhost/x', 'http://10.0.0.1/x', 'http://169.254.169.254/latest/meta-data']) {
        const r = await t.api.post('/v1/webhooks', { url });
        expect([url, r.status, r.body.error.code]).toEqual([url, 400, 'private_url_refused']);
        expect(r.body.error.message).toMatch(/KIRIM_ALLOW_PRIVATE_URLS/);
      }
    } finally {
      await t.close();
      dir.cleanup();
    }
  });
});
