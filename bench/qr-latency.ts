import { startSimulator } from '../sim/index.js';
import { startGatewayProcess } from '../test/support/gateway-process.js';
import { ApiClient } from '../test/support/api-client.js';
import { openSse } from '../test/support/sse.js';
import { tempDir } from '../test/support/temp-dir.js';
import { benchResult, type BenchResult } from './lib/report.js';
import { summary } from './lib/stats.js';

const N = Number(process.env.BENCH_QR_SESSIONS ?? 50);
const KEY = 'bench-key-0123456789abcdef';

/**
 * POST /v1/sessions → QR available (session.qr on SSE), and scan → open, through the real gateway
 * process against a simulator in the bench process. Sessions are created one after another.
 */
export async function run(): Promise<BenchResult> {
  const simDir = tempDir('kirim-bench-sim-');
  const gwDir = tempDir('kirim-bench-gw-');
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, dataDir: simDir.dir });
  const gw = await startGatewayProcess({ KIRIM_DATA_DIR: gwDir.dir, KIRIM_SANDBOX_URL: sim.url, KIRIM_API_KEY: KEY });
  const api = new ApiClient(gw.url, KEY);
  const events = openSse(`${gw.url}/v1/events`, { authorization: `Bearer ${KEY}` });
  await events.ready;
  const toQr: number[] = [];
  const toQrGet: number[] = [];
  const scanToOpen: number[] = [];
  try {
    for (let i = 0; i < N + 3; i++) {
      const t0 = performance.now();
      const created = await api.post('/v1/sessions', { name: `bench ${i}` });
      if (created.status !== 201) throw new Error(`create answered ${created.status}`);
      const id = created.body.id;
      const qr = await events.waitFor((e) => e.event === 'session.qr' && e.data.sessionId === id, 10_000, 'qr');
      const t1 = performance.now();
      const got = await api.get(`/v1/sessions/${id}/qr`);
      const t2 = performance.now();
      if (got.status !== 200) throw new Error(`GET qr answered ${got.status}`);
      const t3 = performance.now();
      const scan = await fetch(`${sim.url}/admin/scan`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ qr: qr.data.data.qr }) });
      if (!scan.ok) throw new Error(`scan answered ${scan.status}`);
      await events.waitFor((e) => e.data.sessionId === id && e.data.data?.status === 'open', 20_000, 'open');
      const t4 = performance.now();
      if (i < 3) continue; // warm-up: first sockets in a process pay for module paths and JIT
      toQr.push(t1 - t0);
      toQrGet.push(t2 - t0);
      scanToOpen.push(t4 - t3);
    }
  } finally {
    events.close();
    await gw.stop('SIGTERM');
    await sim.close();
    simDir.cleanup();
    gwDir.cleanup();
  }
  const qr = summary(toQr);
  const qrGet = summary(toQrGet);
  const open = summary(scanToOpen);
  const goal = 250;
  const markdown = `
${N} sessions created one after another (3 warm-up sessions not counted), gateway as its own process (embedded
SQLite + fs state store), simulator in the benchmark process. Times in milliseconds.

| measure | n | p50 | p95 | p99 | max |
|---|---|---|---|---|---|
| \`POST /v1/sessions\` → \`session.qr\` on SSE | ${qr.n} | ${qr.p50} | ${qr.p95} | ${qr.p99} | ${qr.max} |
| \`POST /v1/sessions\` → \`GET /qr\` answered | ${qrGet.n} | ${qrGet.p50} | ${qrGet.p95} | ${qrGet.p99} | ${qrGet.max} |
| simulated scan → \`session.status: open\` on SSE | ${open.n} | ${open.p50} | ${open.p95} | ${open.p99} | ${open.max} |

Goal: QR p95 under ${goal} ms through the API — **${qr.p95 < goal ? 'met' : `missed by ${Math.round(qr.p95 - goal)} ms`}** (p95 ${qr.p95} ms).
Scan → open includes pair-success, the restart the protocol requires, login, and the upload of 812 pre-keys.
`;
  return benchResult({
    name: 'qr-latency',
    title: 'QR latency and pairing (issue: walking skeleton)',
    markdown,
    data: { toQr: qr, toQrGet: qrGet, scanToOpen: open, n: N },
  });
}
