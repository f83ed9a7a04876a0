import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSim, testPhone, type TestSim } from '../support/sim.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { ApiClient } from '../support/api-client.js';
import { openSse, type SseClient } from '../support/sse.js';
import { tempDir } from '../support/temp-dir.js';
import { startLoginGate, type LoginGate } from '../support/login-gate.js';
import { pendingStateWrites, stateFlushed } from '../support/state-backlog.js';

const KEY = 'restart-test-key-0123456789';

/** The real gateway process: sessions come back open after SIGTERM and after SIGKILL, with no QR. */
describe('restarts (gateway as a child process)', () => {
  let sim: TestSim;
  // between the gateway and the simulator: holds the sessions' logins until a test listens to the events
  let gate: LoginGate;
  let dir: ReturnType<typeof tempDir>;
  let gw: GatewayProcess | undefined;
  const env = () => ({ KIRIM_DATA_DIR: dir.dir, KIRIM_SANDBOX_URL: gate.url, KIRIM_API_KEY: KEY });
  const auth = { authorization: `Bearer ${KEY}` };

  beforeAll(async () => {
    sim = await startTestSim();
    gate = await startLoginGate(sim.sim.url);
  });
  afterAll(async () => {
    await gate?.close();
    await sim?.close();
  });
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(async () => {
    await gw?.stop('SIGKILL');
    gw = undefined;
    dir?.cleanup();
  });

  /** Starts the gateway with the sessions' logins held until its event stream is subscribed. */
  async function restartGateway(): Promise<{ gw: GatewayProcess; events: SseClient }> {
    gate.hold();
    try {
      const started = await startGatewayProcess(env());
      gw = started;
      const events = openSse(`${started.url}/v1/events`, auth);
      await events.ready;
      return { gw: started, events };
    } finally {
      gate.release();
    }
  }

  /** The restored sessions open without a QR, and the restore is reported on SSE (node.restore) and in /v1/metrics. */
  async function expectOpenWithoutQr(url: string, events: SseClient, ids: string[]) {
    const api = new ApiClient(url, KEY);
    for (const id of ids) {
      await events.waitFor((e) => e.data.sessionId === id && e.data.data?.status === 'open', 20_000, `${id} open`);
      expect((await api.get(`/v1/sessions/${id}`)).body.status).toBe('open');
    }
    expect(events.events.filter((e) => e.event === 'session.qr')).toEqual([]);

    const done = await events.waitFor((e) => e.event === 'node.restore' && e.data.data.done, 20_000, 'node.restore done');
    const restores = events.events.filter((e) => e.event === 'node.restore').map((e) => e.data);
    expect(restores.at(-1)).toBe(done.data);
    const node = (await api.get('/v1/nodes')).body.nodes[0].id;
    for (const r of restores) {
      expect(r).toMatchObject({ type: 'node.restore', sessionId: '', data: { node, total: ids.length } });
      expect(r.data.started + r.data.failed).toBeLessThanOrEqual(ids.length);
    }
    expect(restores.filter((r) => r.data.done)).toHaveLength(1);
    expect(done.data.data).toMatchObject({ node, total: ids.length, started: ids.length, open: ids.length, failed: 0, done: true });
    expect(done.data.data.elapsedMs).toBeGreaterThanOrEqual(0);

    const metrics = (await api.get('/v1/metrics')).body;
    const { node: _node, ...figures } = done.data.data;
    expect(metrics.restore).toEqual(figures);
    expect(metrics.sessions.byStatus.open).toBe(ids.length);
    expect(metrics.memory.rssBytes).toBeGreaterThan(0);
  }

  async function pairSession(api: ApiClient, events: SseClient, name: string) {
    const s = (await api.post('/v1/sessions', { name })).body;
    const qr = await events.waitFor((e) => e.event === 'session.qr' && e.data.sessionId === s.id, 10_000, 'qr');
    const phone = testPhone();
    expect((await sim.admin('POST', '/admin/scan', { qr: qr.data.data.qr, phone })).status).toBe(200);
    await events.waitFor((e) => e.data.sessionId === s.id && e.data.data?.status === 'open', 15_000, 'open');
    return { id: s.id as string, phone };
  }

  it('pairs two sessions, survives SIGTERM (exit 0) and SIGKILL, and never needs a QR again', async () => {
    let { gw, events } = await restartGateway();
    const api = new ApiClient(gw.url, KEY);
    const ids: string[] = [];
    for (const name of ['one', 'two']) ids.push((await pairSession(api, events, name)).id);
    // a stopped session stays stopped across restarts
    const stopped = (await api.post('/v1/sessions', { name: 'parked' })).body;
    await api.post(`/v1/sessions/${stopped.id}/stop`);
    events.close();
    await stateFlushed(gw.url);

    expect(await gw.stop('SIGTERM')).toBe(0);
    ({ gw, events } = await restartGateway());
    await expectOpenWithoutQr(gw.url, events, ids);
    expect((await new ApiClient(gw.url, KEY).get(`/v1/sessions/${stopped.id}`)).body.status).toBe('stopped');
    events.close();

    await stateFlushed(gw.url);
    expect(await gw.stop('SIGKILL')).toBe(null);
    ({ gw, events } = await restartGateway());
    await expectOpenWithoutQr(gw.url, events, ids);
    events.close();

    const stats = (await sim.admin('GET', '/admin/stats')).body;
    expect(stats.conflicts).toBe(0);
    expect(await gw.stop('SIGTERM')).toBe(0);
  }, 120_000);

  it('SIGTERM right after a first message to a new contact writes that Signal session: after the restart the contact is heard and reached', async () => {
    let { gw, events } = await restartGateway();
    let api = new ApiClient(gw.url, KEY);
    const { id, phone } = await pairSession(api, events, 'new contact');
    await stateFlushed(gw.url);
    const contact = testPhone('62899');

    // the first message to this contact creates the Signal session with it; SIGTERM as soon as it is out
    const first = await api.post(`/v1/sessions/${id}/messages`, { to: contact, text: 'first, then SIGTERM' });
    expect(first.status).toBe(202);
    await events.waitFor((e) => e.event === 'message.status' && e.data.data.messageId === first.body.id && e.data.data.status === 'sent', 15_000, 'sent');
    // the new session exists only in a pending write (the store writes after a short delay): not flushed yet
    expect(await pendingStateWrites(gw.url)).toBeGreaterThan(0);
    expect(await gw.stop('SIGTERM')).toBe(0);

    ({ gw, events } = await restartGateway());
    api = new ApiClient(gw.url, KEY);
    await expectOpenWithoutQr(gw.url, events, [id]);
    const retriesBefore = (await sim.admin('GET', '/admin/stats')).body.retryReceipts;

    // the contact answers on the session the first message started: the gateway decrypts it at once
    expect((await sim.admin('POST', `/admin/contacts/${contact}/send`, { to: phone, text: 'answer after the restart' })).status).toBe(200);
    const received = await events.waitFor((e) => e.event === 'message.received' && e.data.data.text === 'answer after the restart', 15_000, 'the answer');
    expect(received.data.data.phone).toBe(contact);
    expect((await sim.admin('GET', '/admin/stats')).body.retryReceipts).toBe(retriesBefore); // no "could not decrypt, send again"

    const second = await api.post(`/v1/sessions/${id}/messages`, { to: contact, text: 'second, after the restart' });
    expect(second.status).toBe(202);
    await events.waitFor((e) => e.event === 'message.status' && e.data.data.messageId === second.body.id && e.data.data.status === 'delivered', 15_000, 'delivered');
    const inbox = (await sim.admin('GET', `/admin/contacts/${contact}/inbox`)).body.messages;
    expect(inbox.map((m: { text: string }) => m.text)).toEqual(['first, then SIGTERM', 'second, after the restart']);
    events.close();
    expect(await gw.stop('SIGTERM')).toBe(0);
  }, 90_000);
});
