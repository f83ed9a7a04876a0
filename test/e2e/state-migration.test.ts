import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { silentLogger } from '../../src/core/logger.js';
import { startTestGateway, type TestGateway } from '../support/gateway-in-process.js';
import { startTestS3, type TestS3 } from '../support/s3-server.js';
import { startTestSim, testPhone, type TestSim } from '../support/sim.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * "No re-scan": a session linked on the fs store, moved with `state migrate --to s3://…`, opens in
 * a gateway started on the S3 store without a QR, and its Signal sessions still work.
 */
describe('a session migrated fs → s3 opens on the new store with no QR', () => {
  let sim: TestSim;
  let s3: TestS3;
  let dir: ReturnType<typeof tempDir>;
  let t: TestGateway | undefined;

  beforeAll(async () => {
    sim = await startTestSim();
    s3 = await startTestS3('kirim-migrated');
    dir = tempDir();
  });
  afterAll(async () => {
    await t?.close();
    await s3?.destroy();
    await sim?.close();
    dir?.cleanup();
  });

  it('links on fs, migrates with the CLI, and carries on from S3', async () => {
    const base = { KIRIM_DATA_DIR: dir.dir, KIRIM_SANDBOX_URL: sim.sim.url };
    const s3Env = {
      S3_ENDPOINT: s3.endpoint,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      S3_FORCE_PATH_STYLE: '1',
    };
    t = await startTestGateway(base);
    const events = t.sse();
    await events.ready;
    const id = (await t.api.post('/v1/sessions', {})).body.id;
    const qr = await events.waitFor((e) => e.event === 'session.qr', 10_000, 'qr');
    const account = testPhone('62861');
    await sim.admin('POST', '/admin/scan', { qr: qr.data.data.qr, phone: account });
    await events.waitFor((e) => e.data.data?.status === 'open', 15_000, 'open');
    const contact = testPhone('62862');
    const sent = await t.api.post(`/v1/sessions/${id}/messages`, { to: contact, text: 'before the move' });
    await events.waitFor((e) => e.event === 'message.status' && e.data.data.messageId === sent.body.id && e.data.data.status === 'delivered', 10_000, 'delivered');
    await sim.admin('POST', `/admin/contacts/${contact}/send`, { to: account, text: 'reply before the move' });
    await events.waitFor((e) => e.event === 'message.received' && e.data.data.text === 'reply before the move', 10_000, 'received');
    await t.close();
    t = undefined;

    const file = path.join(dir.dir, 'sessions', 'default', `${id}.kst`);
    expect(fs.existsSync(file)).toBe(true);
    let out = '';
    let err = '';
    const code = await runCli(['state', 'migrate', '--to', 's3://kirim-migrated/prod', '--delete-source'], {
      env: { ...base, ...s3Env },
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      logger: silentLogger,
    });
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('migrate: 1 of 1 copied and verified, 1 source copies deleted, 0 failed');
    expect(fs.existsSync(file)).toBe(false); // only S3 has it now

    const retriesBefore = (await sim.admin('GET', '/admin/stats')).body.retryReceipts as number;
    t = await startTestGateway({ ...base, ...s3Env, KIRIM_STATE_STORE: 's3://kirim-migrated/prod' });
    const after = t.sse();
    await after.ready;
    await after.waitFor((e) => e.data.sessionId === id && e.data.data?.status === 'open', 15_000, 'open on s3');
    expect(after.events.filter((e) => e.event === 'session.qr')).toEqual([]);
    await sim.admin('POST', `/admin/contacts/${contact}/send`, { to: account, text: 'after the move' });
    await after.waitFor((e) => e.event === 'message.received' && e.data.data.text === 'after the move', 10_000, 'received after the move');
    expect((await sim.admin('GET', '/admin/stats')).body.retryReceipts).toBe(retriesBefore); // decrypted on the migrated Signal session
    const again = await t.api.post(`/v1/sessions/${id}/messages`, { to: contact, text: 'from the new store' });
    await after.waitFor((e) => e.event === 'message.status' && e.data.data.messageId === again.body.id && e.data.data.status === 'delivered', 10_000, 'delivered after the move');
    await t.gw.vault.flushAll();
    expect(fs.existsSync(file)).toBe(false); // and it writes to S3, not back to the data dir
  });
});
