import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { ApiClient } from '../support/api-client.js';
import { openSse, type SseClient } from '../support/sse.js';
import { tempDir } from '../support/temp-dir.js';
import { testPhone } from '../support/sim.js';
import { pngShowsQr } from '../support/png.js';
import { stateFlushed } from '../support/state-backlog.js';

const KEY = 'sandbox-test-key-0123456789';

/**
 * README "Try it without a phone: the sandbox", step by step: the gateway as a child process with
 * KIRIM_SANDBOX=1 (the simulator in the same process, its world under <data dir>/sim), from an empty
 * data dir to an open session, and back after a graceful restart and after kill -9.
 */
describe('the sandbox walkthrough (KIRIM_SANDBOX=1, gateway as a child process)', () => {
  let dir: ReturnType<typeof tempDir>;
  let gw: GatewayProcess | undefined;
  let events: SseClient | undefined;
  const account = testPhone();
  const contact = testPhone('62899');

  beforeAll(() => {
    dir = tempDir('kirim-sandbox-');
  });
  afterAll(async () => {
    events?.close();
    await gw?.stop('SIGKILL');
    dir?.cleanup();
  });

  /** Starts the gateway on the data dir; returns its API, its event stream and the simulator's admin URL. */
  async function start() {
    gw = await startGatewayProcess({ KIRIM_SANDBOX: '1', KIRIM_SANDBOX_PORT: '0', KIRIM_DATA_DIR: dir.dir, KIRIM_API_KEY: KEY });
    const api = new ApiClient(gw.url, KEY);
    events = openSse(`${gw.url}/v1/events`, { authorization: `Bearer ${KEY}` });
    await events.ready;
    const sandbox = (await api.get('/v1/sandbox')).body;
    expect(sandbox).toMatchObject({ enabled: true, url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    const sim = async (method: string, p: string, body?: unknown) => {
      const res = await fetch(`${sandbox.url}${p}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
      return { status: res.status, body: (await res.json()) as any };
    };
    return { proc: gw, api, stream: events, sim };
  }

  /** After a restart: the session is open again, without any QR code. */
  async function expectBackOpen(api: ApiClient, stream: SseClient, id: string) {
    if ((await api.get(`/v1/sessions/${id}`)).body.status !== 'open') {
      await stream.waitFor((e) => e.event === 'session.status' && e.data.sessionId === id && e.data.data.status === 'open', 20_000, 'open again');
    }
    expect((await api.get(`/v1/sessions/${id}`)).body).toMatchObject({ status: 'open', phone: account });
    expect((await api.get(`/v1/sessions/${id}/qr`)).status).toBe(409);
    expect(stream.events.filter((e) => e.event === 'session.qr')).toEqual([]);
  }

  /** The contact writes to the account; resolves with the gateway's message.received event. */
  async function contactWrites(sim: Awaited<ReturnType<typeof start>>['sim'], stream: SseClient, text: string) {
    expect((await sim('POST', `/admin/contacts/${contact}/send`, { to: account, text })).status).toBe(200);
    return stream.waitFor((e) => e.event === 'message.received' && e.data.data.text === text, 15_000, `"${text}" received`);
  }

  it('goes from an empty data dir to an open session, survives SIGTERM and kill -9, and keeps talking to the contact', async () => {
    expect(fs.readdirSync(dir.dir)).toEqual([]);
    let { proc, api, stream, sim } = await start();

    // 1. create a session; it starts at once and waits for a scan
    const created = await api.post('/v1/sessions', { name: 'Sales' });
    expect(created.status).toBe(201);
    expect(['starting', 'qr']).toContain(created.body.status);
    const id = created.body.id as string;
    const qrEvent = await stream.waitFor((e) => e.event === 'session.qr' && e.data.sessionId === id, 15_000, 'session.qr');

    // 2. the QR code as JSON (the string a phone scans) and as a PNG of that string
    const qr = await api.get(`/v1/sessions/${id}/qr`);
    expect(qr.status).toBe(200);
    expect(qr.body.qr).toBe(qrEvent.data.data.qr);
    expect(new Date(qr.body.expiresAt).toISOString()).toBe(qr.body.expiresAt);
    expect(Date.parse(qr.body.expiresAt)).toBeGreaterThan(Date.now());
    const png = await api.get(`/v1/sessions/${id}/qr`, { accept: 'image/png' });
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(pngShowsQr(png.body as Buffer, qr.body.qr)).toBe(true);
    expect(pngShowsQr(png.body as Buffer, `${qr.body.qr}x`)).toBe(false);

    // 3. a simulated phone scans it; 4. the session is open
    const scan = await sim('POST', '/admin/scan', { qr: qr.body.qr, phone: account });
    expect(scan).toMatchObject({ status: 200, body: { phone: account } });
    await stream.waitFor((e) => e.event === 'session.status' && e.data.sessionId === id && e.data.data.status === 'open', 15_000, 'open');
    expect((await api.get(`/v1/sessions/${id}`)).body).toMatchObject({ id, status: 'open', phone: account });

    // 5. a text to a simulated contact, in the contact's inbox
    const sent = await api.post(`/v1/sessions/${id}/messages`, { to: contact, text: 'Halo!' });
    expect(sent.status).toBe(202);
    await stream.waitFor((e) => e.event === 'message.status' && e.data.data.messageId === sent.body.id && e.data.data.status === 'delivered', 15_000, 'delivered');
    const inbox = (await sim('GET', `/admin/contacts/${contact}/inbox`)).body.messages;
    expect(inbox).toEqual([expect.objectContaining({ from: account, text: 'Halo!' })]);

    // 6. the contact answers; it arrives live
    const answer = await contactWrites(sim, stream, 'Halo juga');
    expect(answer.data).toMatchObject({ sessionId: id, data: { phone: contact } });
    // every query the gateway's client made was answered by a real simulator handler
    expect((await sim('GET', '/admin/stats')).body).toMatchObject({ unhandledIqs: 0, retryReceipts: 0 });
    expect(fs.existsSync(path.join(dir.dir, 'sim', 'sim.db'))).toBe(true);

    // Ctrl-C / SIGTERM: exit 0; the same data dir again: open, no QR, and the contact still gets through
    stream.close();
    expect(await proc.stop('SIGTERM')).toBe(0);
    ({ proc, api, stream, sim } = await start());
    await expectBackOpen(api, stream, id);
    expect((await sim('GET', `/admin/accounts/${account}`)).body.devices).toEqual([expect.objectContaining({ online: true })]);
    await contactWrites(sim, stream, 'still there?');
    const reply = await api.post(`/v1/sessions/${id}/messages`, { to: contact, text: 'yes' });
    await stream.waitFor((e) => e.event === 'message.status' && e.data.data.messageId === reply.body.id && e.data.data.status === 'delivered', 15_000, 'delivered');
    // the simulator restarted with the gateway: its counters are new, and a login (not a pairing) was all it took
    expect((await sim('GET', '/admin/stats')).body).toMatchObject({ handshakes: 1, preKeyUploads: 0, unhandledIqs: 0, retryReceipts: 0 });

    // kill -9 of the gateway (after its state is written): the same again
    await stateFlushed(proc.url);
    stream.close();
    expect(await proc.stop('SIGKILL')).toBe(null);
    ({ proc, api, stream, sim } = await start());
    await expectBackOpen(api, stream, id);
    await contactWrites(sim, stream, 'and after kill -9?');
    expect((await sim('GET', '/admin/stats')).body).toMatchObject({ handshakes: 1, retryReceipts: 0 });

    stream.close();
    expect(await proc.stop('SIGTERM')).toBe(0);
    gw = undefined;
  }, 120_000);
});

