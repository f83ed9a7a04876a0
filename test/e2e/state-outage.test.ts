import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSim, testPhone, type TestSim } from '../support/sim.js';
import { ApiClient } from '../support/api-client.js';
import { startTestGateway, type TestGateway } from '../support/gateway-in-process.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { startTestS3, type TestS3 } from '../support/s3-server.js';
import { openSse } from '../support/sse.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * Session state in S3 while the S3 server goes away: sessions keep working, writes wait and are
 * retried, /healthz shows the backlog, and once S3 is back everything lands — a restart then
 * finds the latest state. A SIGTERM during the outage spills the unsaved state to the data dir,
 * and the next start writes it to S3.
 */
describe('state store outage (s3 store, the S3 server stopped mid-run)', () => {
  let sim: TestSim;
  let s3: TestS3;
  let dir: ReturnType<typeof tempDir>;
  let env: Record<string, string>;
  let t: TestGateway | undefined;
  let proc: GatewayProcess | undefined;
  let procDir: ReturnType<typeof tempDir> | undefined;

  beforeAll(async () => {
    sim = await startTestSim();
    s3 = await startTestS3('kirim-outage');
    dir = tempDir();
    env = {
      KIRIM_DATA_DIR: dir.dir,
      KIRIM_SANDBOX_URL: sim.sim.url,
      KIRIM_STATE_STORE: 's3://kirim-outage/prod',
      S3_ENDPOINT: s3.endpoint,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      S3_FORCE_PATH_STYLE: '1',
    };
  });
  afterAll(async () => {
    await proc?.stop('SIGKILL');
    procDir?.cleanup();
    await t?.close();
    await s3?.destroy();
    await sim?.close();
    dir?.cleanup();
  });

  const health = async (url = t!.gw.url) => (await fetch(`${url}/healthz`)).json() as Promise<any>;
  async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const v = await read();
      if (ok(v)) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('keeps the session running, reports the backlog, catches up, and a restart needs no QR', async () => {
    t = await startTestGateway(env);
    const events = t.sse();
    await events.ready;
    const id = (await t.api.post('/v1/sessions', {})).body.id;
    const qr = await events.waitFor((e) => e.event === 'session.qr', 10_000, 'qr');
    const account = testPhone('62841');
    await sim.admin('POST', '/admin/scan', { qr: qr.data.data.qr, phone: account });
    await events.waitFor((e) => e.data.data?.status === 'open', 15_000, 'open');
    await until(health, (h) => h.stateStore.pending === 0, 'first state written');

    await s3.stop();
    // the session keeps working: messages both ways (they change Signal state that must be written)
    const contact = testPhone('62842');
    const sent = await t.api.post(`/v1/sessions/${id}/messages`, { to: contact, text: 'during the outage' });
    await events.waitFor((e) => e.event === 'message.status' && e.data.data.messageId === sent.body.id && e.data.data.status === 'delivered', 10_000, 'delivered');
    await sim.admin('POST', `/admin/contacts/${contact}/send`, { to: account, text: 'reply during the outage' });
    await events.waitFor((e) => e.event === 'message.received' && e.data.data.text === 'reply during the outage', 10_000, 'received');
    const degraded = await until(health, (h) => h.stateStore.failing > 0, 'a failing write');
    expect(degraded.status).toBe('degraded');
    expect(degraded.stateStore.pending).toBeGreaterThan(0);
    expect(degraded.stateStore.lastError).toBeTruthy();
    expect((await t.api.get(`/v1/sessions/${id}`)).body.status).toBe('open');

    await s3.start();
    const healed = await until(health, (h) => h.stateStore.pending === 0 && h.stateStore.failing === 0, 'backlog written');
    expect(healed.status).toBe('ok');

    // a fresh gateway on the same store finds the state written after the outage
    await t.close();
    t = await startTestGateway(env);
    const after = t.sse();
    await after.ready;
    const open = await after.waitFor((e) => e.data.sessionId === id && e.data.data?.status === 'open', 15_000, 'open after restart');
    expect(open).toBeTruthy();
    expect(after.events.some((e) => e.event === 'session.qr')).toBe(false);
    // and the Signal sessions survived: the contact's next message decrypts
    await sim.admin('POST', `/admin/contacts/${contact}/send`, { to: account, text: 'after the restart' });
    await after.waitFor((e) => e.event === 'message.received' && e.data.data.text === 'after the restart', 10_000, 'received after restart');
  });

  it('a gateway started while S3 is down retries loading its sessions, and opens them with no QR once S3 is back', async () => {
    const id = (await t!.api.get('/v1/sessions')).body.sessions[0].id as string;
    await until(health, (h) => h.stateStore.pending === 0, 'state written');
    await t!.close();
    t = undefined;
    await s3.stop();
    t = await startTestGateway(env);
    const events = t.sse();
    await events.ready;
    // the state can't be read: the session waits and retries, it does not fail or ask for a scan
    const waiting = await until(async () => (await t!.api.get(`/v1/sessions/${id}`)).body, (s) => s.status === 'reconnecting' && !!s.lastError, 'reconnecting');
    expect(waiting.lastError).toMatch(/^could not start: /);
    await s3.start();
    await events.waitFor((e) => e.data.sessionId === id && e.data.data?.status === 'open', 90_000, 'open once S3 is back');
    expect(events.events.some((e) => e.event === 'session.qr')).toBe(false);
  }, 120_000);

  it('SIGTERM during the outage spills the unsaved state; with S3 back, the restart stores it: no QR, and the new contact still decrypts', async () => {
    procDir = tempDir();
    const key = 'outage-sigterm-key-0123456789';
    const penv = { ...env, KIRIM_DATA_DIR: procDir.dir, KIRIM_STATE_STORE: 's3://kirim-outage/sigterm', KIRIM_API_KEY: key };
    const auth = { authorization: `Bearer ${key}` };
    proc = await startGatewayProcess(penv);
    let api = new ApiClient(proc.url, key);
    const events = openSse(`${proc.url}/v1/events`, auth);
    await events.ready;
    const id = (await api.post('/v1/sessions', {})).body.id;
    const qr = await events.waitFor((e) => e.event === 'session.qr', 10_000, 'qr');
    const account = testPhone('62846');
    await sim.admin('POST', '/admin/scan', { qr: qr.data.data.qr, phone: account });
    await events.waitFor((e) => e.data.data?.status === 'open', 15_000, 'open');
    await until(() => health(proc!.url), (h) => h.stateStore.pending === 0, 'first state written');

    await s3.stop();
    // a contact this session never talked to: its Signal session exists only in the unsaved state
    const contact = testPhone('62847');
    const sent = await api.post(`/v1/sessions/${id}/messages`, { to: contact, text: 'hello, new contact' });
    await events.waitFor((e) => e.event === 'message.status' && e.data.data.messageId === sent.body.id && e.data.data.status === 'delivered', 10_000, 'delivered');
    await sim.admin('POST', `/admin/contacts/${contact}/send`, { to: account, text: 'hello back' });
    await events.waitFor((e) => e.event === 'message.received' && e.data.data.text === 'hello back', 10_000, 'received');
    events.close();
    expect(await proc.stop('SIGTERM')).toBe(0);
    expect(proc.logs.join('\n')).toMatch(/spilled locally/);
    const spillFile = path.join(procDir.dir, 'state-spill', 'default', `${id}.kst`);
    expect(fs.existsSync(spillFile)).toBe(true);

    await s3.start();
    const retriesBefore = (await sim.admin('GET', '/admin/stats')).body.retryReceipts as number;
    proc = await startGatewayProcess(penv);
    api = new ApiClient(proc.url, key);
    const after = openSse(`${proc.url}/v1/events`, auth);
    await after.ready;
    // open again with no scan: the restored creds; the spill went to S3 before the session loaded
    await until(async () => (await api.get(`/v1/sessions/${id}`)).body.status, (s) => s === 'open', 'open after restart');
    expect(fs.existsSync(spillFile)).toBe(false);
    const healed = await health(proc.url);
    expect(healed).toMatchObject({ status: 'ok', stateStore: { spilled: 0 } });
    // the contact's next message decrypts at once on the Signal session made during the outage (no retry receipt)
    await sim.admin('POST', `/admin/contacts/${contact}/send`, { to: account, text: 'after the SIGTERM' });
    await after.waitFor((e) => e.event === 'message.received' && e.data.data.text === 'after the SIGTERM', 10_000, 'received after restart');
    expect((await sim.admin('GET', '/admin/stats')).body.retryReceipts).toBe(retriesBefore);
    const again = await api.post(`/v1/sessions/${id}/messages`, { to: contact, text: 'still talking' });
    await after.waitFor((e) => e.event === 'message.status' && e.data.data.messageId === again.body.id && e.data.data.status === 'delivered', 10_000, 'delivered after restart');
    expect(after.events.filter((e) => e.event === 'session.qr')).toEqual([]);
    after.close();
  }, 90_000);
});
