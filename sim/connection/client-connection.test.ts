import { WebSocket } from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../index.js';
import { AdminClient } from '../testing/admin-client.js';
import { TestClient } from '../testing/baileys-client.js';
import { tempDataDir } from '../testing/temp-data-dir.js';
import { encodeFrame, NOISE_WA_HEADER } from '../transport/frame-codec.js';

/** Opens a raw WebSocket, sends `chunks`, and resolves with the close code once the server closes it. */
function rawSession(url: string, chunks: (Buffer | string)[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('open', () => chunks.forEach((c) => ws.send(c as Buffer)));
    ws.on('close', (code: number) => resolve(code));
    ws.on('error', reject);
  });
}

describe('malformed client traffic', () => {
  let dir: ReturnType<typeof tempDataDir>;
  let sim: Simulator;

  beforeEach(async () => {
    dir = tempDataDir();
    sim = await startSimulator({ dataDir: dir.path, port: 0 });
  });

  afterEach(async () => {
    await sim.close();
    dir.remove();
  });

  it.each([
    ['a wrong intro', [Buffer.from('GET / HTTP/1.1\r\n')]],
    ['a garbage client hello', [Buffer.concat([NOISE_WA_HEADER, encodeFrame(Buffer.from([1, 2, 3, 4, 5]))])]],
    ['a text message', ['hello']],
  ])('closes a connection that sends %s, and keeps serving', async (_name, chunks) => {
    expect(await rawSession(sim.wsUrl, chunks)).toBeGreaterThanOrEqual(1000);
    const stats = await new AdminClient(sim.url).stats();
    expect(stats.connections).toBe(0);
    expect(stats.handshakes).toBe(0);
    const client = new TestClient(sim);
    client.connect();
    expect(await client.waitForQr()).toMatch(/^https:\/\/wa\.me\/settings\/linked_devices#2@/);
    await client.end();
  });
});
