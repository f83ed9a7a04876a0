import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSim, testPhone, type TestSim } from '../support/sim.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { ApiClient } from '../support/api-client.js';
import { openSse } from '../support/sse.js';
import { tempDir } from '../support/temp-dir.js';

const KEY = 'restart-test-key-0123456789';

/** The real gateway process: sessions come back open after SIGTERM and after SIGKILL, with no QR. */
describe('restarts (gateway as a child process)', () => {
  let sim: TestSim;
  let dir: ReturnType<typeof tempDir>;
  let gw: GatewayProcess | undefined;
  const env = () => ({ KIRIM_DATA_DIR: dir.dir, KIRIM_SANDBOX_URL: sim.sim.url, KIRIM_API_KEY: KEY });

  beforeAll(async () => {
    sim = await startTestSim();
    dir = tempDir();
  });
  afterAll(async () => {
    await gw?.stop('SIGKILL');
    await sim?.close();
    dir?.cleanup();
  });

  /** Waits until every state write has reached the store (no sleeping: /healthz reports the backlog). */
  async function stateFlushed(url: string) {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const h = (await (await fetch(`${url}/healthz`)).json()) as any;
      if (h.stateStore?.pending === 0) return;
      await new Promise((r) => setTimeout(r, 50)); // polling the health endpoint: no event to await across processes
    }
    throw new Error('state never flushed');
  }

  async function expectOpenWithoutQr(url: string, ids: string[]) {
    const api = new ApiClient(url, KEY);
    const events = openSse(`${url}/v1/events`, { authorization: `Bearer ${KEY}` });
    await events.ready;
    try {
      for (const id of ids) {
        const now = (await api.get(`/v1/sessions/${id}`)).body;
        if (now.status !== 'open') await events.waitFor((e) => e.data.sessionId === id && e.data.data?.status === 'open', 20_000, `${id} open`);
        expect((await api.get(`/v1/sessions/${id}`)).body.status).toBe('open');
      }
      expect(events.events.filter((e) => e.event === 'session.qr')).toEqual([]);
      // the restore is reported (also as node.restore events) and its figures add up
      let metrics: any;
      for (let i = 0; i < 200 && !metrics?.restore?.done; i++) {
        if (i) await new Promise((r) => setTimeout(r, 50));
        metrics = (await api.get('/v1/metrics')).body;
      }
      expect(metrics.restore).toMatchObject({ total: ids.length, started: ids.length, open: ids.length, failed: 0, done: true });
      expect(metrics.sessions.byStatus.open).toBe(ids.length);
      expect(metrics.memory.rssBytes).toBeGreaterThan(0);
    } finally {
      events.close();
    }
  }

  it('pairs two sessions, survives SIGTERM (exit 0) and SIGKILL, and never needs a QR again', async () => {
    gw = await startGatewayProcess(env());
    const api = new ApiClient(gw.url, KEY);
    const events = openSse(`${gw.url}/v1/events`, { authorization: `Bearer ${KEY}` });
    await events.ready;
    const ids: string[] = [];
    for (const name of ['one', 'two']) {
      const s = (await api.post('/v1/sessions', { name })).body;
      const qr = await events.waitFor((e) => e.event === 'session.qr' && e.data.sessionId === s.id, 10_000, 'qr');
      expect((await sim.admin('POST', '/admin/scan', { qr: qr.data.data.qr, phone: testPhone() })).status).toBe(200);
      await events.waitFor((e) => e.data.sessionId === s.id && e.data.data?.status === 'open', 15_000, 'open');
      ids.push(s.id);
    }
    // a stopped session stays stopped across restarts
    const stopped = (await api.post('/v1/sessions', { name: 'parked' })).body;
    await api.post(`/v1/sessions/${stopped.id}/stop`);
    events.close();
    await stateFlushed(gw.url);

    expect(await gw.stop('SIGTERM')).toBe(0);
    gw = await startGatewayProcess(env());
    await expectOpenWithoutQr(gw.url, ids);
    expect((await new ApiClient(gw.url, KEY).get(`/v1/sessions/${stopped.id}`)).body.status).toBe('stopped');

    await stateFlushed(gw.url);
    expect(await gw.stop('SIGKILL')).toBe(null);
    gw = await startGatewayProcess(env());
    await expectOpenWithoutQr(gw.url, ids);

    const stats = (await sim.admin('GET', '/admin/stats')).body;
    expect(stats.conflicts).toBe(0);
    expect(await gw.stop('SIGTERM')).toBe(0);
    gw = undefined;
  });
});
