import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../testing/admin-client.js';
import { TestClient } from '../testing/baileys-client.js';
import { simCommand, startSimProcess, type SimProcess } from '../testing/sim-process.js';
import { tempDataDir } from '../testing/temp-data-dir.js';

const PHONE = '15550700001';

/** `npm run sim`: the simulator as its own process, with PORT and KIRIM_DATA_DIR, across a restart. */
describe('the standalone simulator (npm run sim)', () => {
  let dir: ReturnType<typeof tempDataDir>;
  let sim: SimProcess | undefined;
  let client: TestClient | undefined;

  beforeAll(() => {
    dir = tempDataDir();
  });
  afterAll(async () => {
    await client?.end();
    await sim?.stop('SIGKILL');
    dir?.remove();
  });

  const start = async () => {
    const started = await startSimProcess({ PORT: '0', KIRIM_DATA_DIR: dir.path });
    const admin = new AdminClient(started.url);
    const { publicKey } = await admin.ok<{ publicKey: string }>('GET', '/admin/root-key');
    expect(publicKey).toMatch(/^[0-9a-f]{64}$/);
    return { started, admin, endpoint: { wsUrl: started.wsUrl, rootPublicKey: Buffer.from(publicKey, 'hex') } };
  };

  it('links a device, stops on SIGTERM (exit 0), and lets the device log in again after a restart', async () => {
    const first = await start();
    sim = first.started;
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    client = new TestClient(first.endpoint);
    const linked = await client.linkByQr(first.admin, PHONE);
    expect(linked.phone).toBe(PHONE);
    expect(existsSync(path.join(dir.path, 'sim.db'))).toBe(true);

    const closed = client.waitForClose();
    expect(await sim.stop('SIGTERM')).toBe(0);
    await closed;
    expect(sim.logs.some((line) => line.includes('shutting down'))).toBe(true);

    const second = await start();
    sim = second.started;
    expect(second.endpoint.rootPublicKey.equals(first.endpoint.rootPublicKey)).toBe(true);
    client.useSimulator(second.endpoint);
    await client.reconnect();
    const stats = await second.admin.stats();
    expect(stats).toMatchObject({ connections: 1, handshakes: 1, preKeyUploads: 0, unhandledIqs: 0 });
    const account = await second.admin.ok('GET', `/admin/accounts/${PHONE}`);
    expect(account.devices).toEqual([expect.objectContaining({ jid: linked.jid, online: true, preKeys: 812 })]);

    await client.end();
    client = undefined;
    expect(await sim.stop('SIGTERM')).toBe(0);
    sim = undefined;
  });

  it('refuses a bad PORT with one line naming it, and exit code 1', () => {
    const [program, ...args] = simCommand();
    const run = spawnSync(program, args, {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: { PORT: 'seventy', KIRIM_DATA_DIR: dir.path },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('PORT must be a port number (0-65535), got "seventy"');
  });
});
