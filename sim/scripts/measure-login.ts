/**
 * Measures what the simulator costs a client: socket creation → first QR, pairing, and login → open
 * (median of N runs). Run: `npx tsx sim/scripts/measure-login.ts [N]`.
 */
import { performance } from 'node:perf_hooks';
import { startSimulator } from '../index.js';
import { AdminClient } from '../testing/admin-client.js';
import { TestClient } from '../testing/baileys-client.js';
import { tempDataDir } from '../testing/temp-data-dir.js';

const runs = Number(process.argv[2] ?? 20);
const dir = tempDataDir();
const sim = await startSimulator({ dataDir: dir.path });
const admin = new AdminClient(sim.url);
const samples: Record<string, number[]> = { qr: [], scanTo515: [], firstLoginOpen: [], reloginOpen: [] };

for (let i = 0; i < runs; i++) {
  const client = new TestClient(sim);
  let t = performance.now();
  client.connect();
  const qr = await client.waitForQr();
  samples.qr.push(performance.now() - t);
  t = performance.now();
  const closed = client.waitForClose();
  await admin.scan(qr);
  await closed;
  samples.scanTo515.push(performance.now() - t);
  t = performance.now();
  await client.reconnect();
  samples.firstLoginOpen.push(performance.now() - t);
  await client.end();
  t = performance.now();
  await client.reconnect();
  samples.reloginOpen.push(performance.now() - t);
  await client.end();
}

const pct = (values: number[], p: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];
for (const [name, values] of Object.entries(samples)) {
  console.log(`${name.padEnd(15)} median ${pct(values, 0.5).toFixed(1)} ms   p95 ${pct(values, 0.95).toFixed(1)} ms   (first ${values[0].toFixed(1)} ms)`);
}
await sim.close();
dir.remove();
