import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSim, testPhone, type TestSim } from '../support/sim.js';
import { startTestGateway, type TestGateway } from '../support/gateway-in-process.js';
import { tempDir } from '../support/temp-dir.js';

/** Sessions through the public API against the simulator: pair, QR, logout, drop, delete, auth. */
describe('sessions e2e (in-process gateway, simulator)', () => {
  let sim: TestSim;
  let t: TestGateway;
  let dir: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    sim = await startTestSim();
    dir = tempDir();
    t = await startTestGateway({ KIRIM_DATA_DIR: dir.dir, KIRIM_SANDBOX_URL: sim.sim.url });
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
    dir?.cleanup();
  });

  async function pairNewSession(name = 'e2e') {
    const created = await t.api.post('/v1/sessions', { name });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const events = t.sse(`?session=${id}`);
    await events.ready;
    const qrEvent = await events.waitFor((e) => e.event === 'session.qr', 10_000, 'session.qr');
    const phone = testPhone();
    const scan = await sim.admin('POST', '/admin/scan', { qr: qrEvent.data.data.qr, phone });
    expect(scan.status).toBe(200);
    await events.waitFor((e) => e.event === 'session.status' && e.data.data.status === 'open', 15_000, 'open');
    return { id, phone, events };
  }

  it('answers 401 without a key or with a wrong one, and serves /healthz and /openapi.json without one', async () => {
    const none = await fetch(`${t.gw.url}/v1/sessions`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as any).error.code).toBe('unauthorized');
    const wrong = await fetch(`${t.gw.url}/v1/sessions`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const viaHeader = await fetch(`${t.gw.url}/v1/sessions`, { headers: { 'x-api-key': t.api.key } });
    expect(viaHeader.status).toBe(200);
    const health = await fetch(`${t.gw.url}/healthz`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as any).status).toBe('ok');
    const doc = await fetch(`${t.gw.url}/openapi.json`);
    expect(doc.status).toBe(200);
    expect(((await doc.json()) as any).openapi).toMatch(/^3\./);
  });

  // CONTRACT.md §2, row by row
  const CONTRACT_ROUTES: Array<[string, string]> = [
    ['get', '/healthz'],
    ['get', '/openapi.json'],
    ['post', '/v1/sessions'],
    ['get', '/v1/sessions'],
    ['get', '/v1/sessions/{id}'],
    ['post', '/v1/sessions/{id}/start'],
    ['post', '/v1/sessions/{id}/stop'],
    ['post', '/v1/sessions/{id}/logout'],
    ['delete', '/v1/sessions/{id}'],
    ['get', '/v1/sessions/{id}/qr'],
    ['post', '/v1/sessions/{id}/pairing-code'],
    ['post', '/v1/sessions/{id}/messages'],
    ['get', '/v1/sessions/{id}/messages/{messageId}'],
    ['get', '/v1/sessions/{id}/messages'],
    ['get', '/v1/events'],
    ['post', '/v1/webhooks'],
    ['get', '/v1/webhooks'],
    ['delete', '/v1/webhooks/{id}'],
    ['get', '/v1/nodes'],
    ['post', '/v1/nodes/{id}/drain'],
  ];
  it.each(CONTRACT_ROUTES)('/openapi.json describes %s %s (CONTRACT §2)', async (method, route) => {
    const doc = (await (await fetch(`${t.gw.url}/openapi.json`)).json()) as any;
    const operation = doc.paths[route]?.[method];
    expect(operation, `${method.toUpperCase()} ${route} in /openapi.json`).toBeDefined();
    expect(Object.keys(operation.responses ?? {}).length).toBeGreaterThan(0);
  });

  it('creates a session with the full contract shape', async () => {
    const before = Date.now();
    const created = await t.api.post('/v1/sessions', { name: 'Shape' });
    expect(created.status).toBe(201);
    const s = created.body;
    for (const key of ['id', 'name', 'status', 'phone', 'node', 'createdAt', 'updatedAt']) expect(Object.keys(s)).toContain(key);
    expect(s).toMatchObject({ name: 'Shape', phone: null, node: t.gw.nodeId });
    expect(s.id).toMatch(/^ses_[0-9a-z]+$/);
    expect(['starting', 'qr']).toContain(s.status);
    for (const at of [s.createdAt, s.updatedAt]) {
      expect(new Date(at).toISOString()).toBe(at);
      expect(Date.parse(at)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(at)).toBeLessThanOrEqual(Date.now());
    }
    expect(Date.parse(s.updatedAt)).toBeGreaterThanOrEqual(Date.parse(s.createdAt));
    expect((await t.api.get(`/v1/sessions/${s.id}`)).body).toMatchObject({ id: s.id, name: 'Shape', createdAt: s.createdAt });
    // the session without a name gets one
    const unnamed = (await t.api.post('/v1/sessions')).body;
    expect(typeof unnamed.name).toBe('string');
    await t.api.delete(`/v1/sessions/${s.id}`);
    await t.api.delete(`/v1/sessions/${unnamed.id}`);
  });

  it('wraps every SSE event in the contract envelope: id (also the SSE id), type, sessionId, ISO timestamp, data', async () => {
    const { id, events } = await pairNewSession('envelope');
    const mine = events.events.filter((e) => e.event !== 'ready');
    expect(mine.map((e) => e.event)).toEqual(expect.arrayContaining(['session.qr', 'session.status']));
    for (const e of mine) {
      expect(e.data).toMatchObject({ type: e.event, sessionId: id });
      expect(e.data.id).toMatch(/^evt_/);
      expect(e.id).toBe(e.data.id);
      expect(new Date(e.data.timestamp).toISOString()).toBe(e.data.timestamp);
      expect(typeof e.data.data).toBe('object');
    }
    expect(new Set(mine.map((e) => e.data.id)).size).toBe(mine.length);
    const open = mine.find((e) => e.event === 'session.status' && e.data.data.status === 'open')!;
    expect(open.data.data).toMatchObject({ status: 'open', phone: expect.stringMatching(/^\d+$/) });
  });

  it('answers 409 for a pairing code on an open session, and the session stays open', async () => {
    const { id } = await pairNewSession('code-when-open');
    const res = await t.api.post(`/v1/sessions/${id}/pairing-code`, { phone: testPhone() });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('not_waiting_for_qr');
    expect(res.body.error.message).toMatch(/'open'/);
    expect((await t.api.get(`/v1/sessions/${id}`)).body.status).toBe('open');
  });

  it('creates a session that shows a QR (JSON and PNG), pairs by a simulated scan and opens', async () => {
    const created = await t.api.post('/v1/sessions', { name: 'Sales' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Sales', phone: null });
    expect(['starting', 'qr']).toContain(created.body.status);
    const id = created.body.id;
    const events = t.sse(`?session=${id}`);
    await events.ready;
    const qrEvent = await events.waitFor((e) => e.event === 'session.qr', 10_000, 'session.qr');
    expect(qrEvent.data).toMatchObject({ type: 'session.qr', sessionId: id });
    expect(qrEvent.data.data.qr).toMatch(/^https:\/\/wa\.me\/settings\/linked_devices#|^[^,]+,[^,]+,[^,]+,[^,]+/);
    expect(Date.parse(qrEvent.data.data.expiresAt)).toBeGreaterThan(Date.now());

    const qr = await t.api.get(`/v1/sessions/${id}/qr`);
    expect(qr.status).toBe(200);
    expect(qr.body.qr).toBe(qrEvent.data.data.qr);
    const png = await t.api.get(`/v1/sessions/${id}/qr`, { accept: 'image/png' });
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect((png.body as Buffer).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect((await t.api.get(`/v1/sessions/${id}`)).body.status).toBe('qr');

    const phone = testPhone();
    const scan = await sim.admin('POST', '/admin/scan', { qr: qr.body.qr, phone });
    expect(scan.status).toBe(200);
    const open = await events.waitFor((e) => e.event === 'session.status' && e.data.data.status === 'open', 15_000, 'open');
    expect(open.data.data.phone).toBe(phone);
    const s = (await t.api.get(`/v1/sessions/${id}`)).body;
    expect(s).toMatchObject({ id, status: 'open', phone, node: t.gw.nodeId });
    expect((await t.api.get(`/v1/sessions/${id}/qr`)).status).toBe(409);
    const list = (await t.api.get('/v1/sessions')).body.sessions.map((x: { id: string }) => x.id);
    expect(list).toContain(id);
  });

  it('a server logout makes the session logged_out (final), forgets its state, and start pairs again with a new QR', async () => {
    const { id, phone, events } = await pairNewSession('logout');
    const r = await sim.admin('POST', `/admin/accounts/${phone}/logout`);
    expect(r.status).toBe(200);
    await events.waitFor((e) => e.event === 'session.status' && e.data.data.status === 'logged_out', 10_000, 'logged_out');
    const s = (await t.api.get(`/v1/sessions/${id}`)).body;
    expect(s.status).toBe('logged_out');
    expect(s.desired).toBe('stopped');
    expect(s.lastError).toMatch(/logged out/);
    expect((await t.api.get(`/v1/sessions/${id}/qr`)).status).toBe(409);
    // nothing reconnects on its own
    expect(t.gw.sessions.runtime(id)?.currentStatus).toBe('logged_out');
    const started = await t.api.post(`/v1/sessions/${id}/start`);
    expect(started.status).toBe(200);
    const qr2 = await events.waitFor((e) => e.event === 'session.qr' && events.events.indexOf(e) > events.events.findIndex((x) => x.data?.data?.status === 'logged_out'), 10_000, 'new QR');
    expect(qr2.data.data.qr).toBeTruthy();
  });

  it('a dropped connection reconnects by itself without a QR', async () => {
    const { id, phone, events } = await pairNewSession('drop');
    const before = events.events.length;
    expect((await sim.admin('POST', `/admin/accounts/${phone}/drop`)).status).toBe(200);
    await events.waitFor((e) => events.events.indexOf(e) >= before && e.data.data?.status === 'reconnecting', 10_000, 'reconnecting');
    await events.waitFor((e) => events.events.indexOf(e) >= before && e.data.data?.status === 'open', 15_000, 'open again');
    expect(events.events.slice(before).some((e) => e.event === 'session.qr')).toBe(false);
    expect((await t.api.get(`/v1/sessions/${id}`)).body.status).toBe('open');
  });

  it('stop keeps the device linked; start reconnects without a QR', async () => {
    const { id, events } = await pairNewSession('stop-start');
    const stopped = await t.api.post(`/v1/sessions/${id}/stop`);
    expect(stopped.body).toMatchObject({ status: 'stopped', desired: 'stopped' });
    const before = events.events.length;
    await t.api.post(`/v1/sessions/${id}/start`);
    await events.waitFor((e) => events.events.indexOf(e) >= before && e.data.data?.status === 'open', 15_000, 'open after start');
    expect(events.events.slice(before).some((e) => e.event === 'session.qr')).toBe(false);
  });

  const linkedDevices = async (phone: string) => ((await sim.admin('GET', `/admin/accounts/${phone}`)).body.devices as unknown[]).length;

  it('logout unlinks the device on the phone, whether the session is open or stopped', async () => {
    const open = await pairNewSession('logout-open');
    expect(await linkedDevices(open.phone)).toBe(1);
    expect((await t.api.post(`/v1/sessions/${open.id}/logout`)).body).toMatchObject({ status: 'logged_out' });
    expect(await linkedDevices(open.phone)).toBe(0);

    const stopped = await pairNewSession('logout-stopped');
    expect((await t.api.post(`/v1/sessions/${stopped.id}/stop`)).body).toMatchObject({ status: 'stopped' });
    expect(await linkedDevices(stopped.phone)).toBe(1);
    const r = await t.api.post(`/v1/sessions/${stopped.id}/logout`);
    expect(r.body).toMatchObject({ status: 'logged_out', desired: 'stopped' });
    expect(await linkedDevices(stopped.phone)).toBe(0);
    // no session.qr on the way: the brief connection only logged in to log out
    expect(stopped.events.events.filter((e) => e.event === 'session.qr').length).toBe(1);
  });

  it('delete of a stopped session unlinks the device on the phone too', async () => {
    const { id, phone } = await pairNewSession('delete-stopped');
    await t.api.post(`/v1/sessions/${id}/stop`);
    expect(await linkedDevices(phone)).toBe(1);
    expect((await t.api.delete(`/v1/sessions/${id}`)).status).toBe(204);
    expect(await linkedDevices(phone)).toBe(0);
  });

  it('delete answers 204, removes the stored state, and the session is gone', async () => {
    const { id } = await pairNewSession('delete');
    const stateFiles = () => {
      const root = path.join(dir.dir, 'sessions');
      return fs.existsSync(root) ? fs.readdirSync(root, { recursive: true }).map(String).filter((f) => f.includes(id)) : [];
    };
    await t.gw.vault.flushAll();
    expect(stateFiles().length).toBe(1);
    const del = await t.api.delete(`/v1/sessions/${id}`);
    expect(del.status).toBe(204);
    expect((await t.api.get(`/v1/sessions/${id}`)).status).toBe(404);
    expect(stateFiles()).toEqual([]);
    expect((await t.api.delete(`/v1/sessions/${id}`)).status).toBe(404);
  });

  it('links by pairing code confirmed on the simulated phone', async () => {
    const created = await t.api.post('/v1/sessions', { name: 'by code' });
    const id = created.body.id;
    const events = t.sse(`?session=${id}`);
    await events.ready;
    await events.waitFor((e) => e.event === 'session.qr', 10_000, 'ready for linking');
    const phone = testPhone();
    const res = await t.api.post(`/v1/sessions/${id}/pairing-code`, { phone });
    expect(res.status).toBe(200);
    expect(res.body.code).toMatch(/^[A-Z0-9]{8}$/);
    expect((await t.api.get(`/v1/sessions/${id}`)).body.status).toBe('pairing');
    const confirm = await sim.admin('POST', '/admin/pairing-code', { phone, code: res.body.code });
    expect(confirm.status).toBe(200);
    const open = await events.waitFor((e) => e.data.data?.status === 'open', 15_000, 'open');
    expect(open.data.data.phone).toBe(phone);
  });

  it('rejects bad input with clear 4xx errors', async () => {
    const cases: Array<[string, string, unknown, number, string]> = [
      ['POST', '/v1/sessions', '{bad json', 400, 'invalid_json'],
      ['POST', '/v1/sessions', { name: 42 }, 400, 'validation_failed'],
      ['POST', '/v1/sessions', { name: 'x', extra: true }, 400, 'validation_failed'],
      ['POST', '/v1/sessions', { name: 'x'.repeat(101) }, 400, 'validation_failed'],
      ['GET', '/v1/sessions/ses_nope', undefined, 404, 'session_not_found'],
      ['POST', '/v1/sessions/ses_nope/start', undefined, 404, 'session_not_found'],
      ['GET', '/v1/sessions/ses_nope/qr', undefined, 404, 'session_not_found'],
      ['POST', '/v1/sessions/ses_nope/pairing-code', { phone: '6281234567890' }, 404, 'session_not_found'],
      ['GET', '/v1/nope', undefined, 404, 'not_found'],
    ];
    for (const [method, p, body, status, code] of cases) {
      const res = await t.api.request(method, p, body);
      expect([method, p, res.status, res.body?.error?.code]).toEqual([method, p, status, code]);
      expect(typeof res.body.error.message).toBe('string');
    }
    const s = (await t.api.post('/v1/sessions', {})).body;
    for (const phone of ['abc', '123', '+6281234567890', '']) {
      const res = await t.api.post(`/v1/sessions/${s.id}/pairing-code`, { phone });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/phone/);
    }
    const big = await t.api.post('/v1/sessions', { name: 'x'.repeat(2 * 1024 * 1024) });
    expect(big.status).toBe(413);
    const wrongType = await t.api.request('POST', '/v1/sessions', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(wrongType.status).toBe(415);
  });
});
