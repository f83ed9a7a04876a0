import { setTimeout as sleep } from 'node:timers/promises';
import { startFleet, waitSettled, type Fleet, type Metrics } from './lib/fleet.js';
import { benchResult, type BenchResult } from './lib/report.js';
import { round } from './lib/stats.js';

const SIZES = (process.env.BENCH_SESSIONS ?? '100,1000').split(',').map(Number);
/**
 * `KIRIM_RESTORE_CONCURRENCY`×`KIRIM_RESTORE_RATE` pairs to restart with, e.g. `64x200,16x50`.
 * The goals are judged on the gateway's default (16×200, see src/config); the others are the tuning tried.
 */
const DEFAULT = { concurrency: 16, rate: 200 };
const SETTINGS = (process.env.BENCH_RESTORE_SETTINGS ?? '16x200,64x200,8x200,4x200').split(',').map((s) => {
  const [concurrency, rate] = s.split('x').map(Number);
  return { concurrency, rate };
});
const MB = 2 ** 20;

interface Restart {
  sessions: number;
  concurrency: number;
  rate: number;
  /** SIGTERM → exit of the previous process (graceful shutdown with N open sessions). */
  shutdownMs: number;
  spawnToListeningMs: number;
  /** From spawn until every session is `open` (as `GET /v1/metrics` sees it, polled every 100 ms). */
  spawnToAllOpenMs: number;
  restore: NonNullable<Metrics['restore']>;
  eventLoop: Metrics['eventLoop'];
  rssMb: number;
}

async function restartOnce(fleet: Fleet, sessions: number, concurrency: number, rate: number): Promise<Restart> {
  const t0 = performance.now();
  const code = await fleet.gw.stop('SIGTERM');
  const shutdownMs = performance.now() - t0;
  if (code !== 0) throw new Error(`gateway exited with ${code} on SIGTERM`);
  await fleet.restart({ env: { KIRIM_RESTORE_CONCURRENCY: String(concurrency), KIRIM_RESTORE_RATE: String(rate) }, resetMetricsAtStart: true });
  const gw = fleet.gw;
  const deadline = performance.now() + 300_000;
  let m: Metrics;
  for (;;) {
    m = await gw.metrics();
    if ((m.sessions.byStatus.open ?? 0) >= sessions && m.restore?.done) break;
    if (performance.now() > deadline) throw new Error(`restore of ${sessions} not done after 300 s: ${JSON.stringify({ restore: m.restore, sessions: m.sessions })}`);
    await sleep(100);
  }
  const spawnToAllOpenMs = performance.now() - gw.spawnedAt;
  await waitSettled(gw, sessions);
  return {
    sessions,
    concurrency,
    rate,
    shutdownMs: round(shutdownMs, 0),
    spawnToListeningMs: round(gw.listeningAt - gw.spawnedAt, 0),
    spawnToAllOpenMs: round(spawnToAllOpenMs, 0),
    restore: m.restore!,
    eventLoop: m.eventLoop,
    rssMb: round(m.memory.rssBytes / MB, 0),
  };
}

export async function run(): Promise<BenchResult> {
  const fleet = await startFleet();
  const runs: Restart[] = [];
  try {
    for (const n of SIZES) {
      await fleet.growTo(n);
      await waitSettled(fleet.gw, n);
      for (const s of SETTINGS) {
        const r = await restartOnce(fleet, n, s.concurrency, s.rate);
        process.stderr.write(`  ${n} sessions, ${s.concurrency}×${s.rate}/s: all open ${r.spawnToAllOpenMs} ms after spawn, event-loop p99 ${r.eventLoop.p99Ms} ms\n`);
        runs.push(r);
      }
    }
  } finally {
    await fleet.close();
  }
  return report(runs);
}

export function report(runs: Restart[]): BenchResult {
  const rows = runs.map(
    (r) =>
      `| ${r.sessions} | ${r.concurrency} × ${r.rate}/s | ${r.shutdownMs} | ${r.spawnToListeningMs} | ${r.restore.elapsedMs} | **${r.spawnToAllOpenMs}** | ${r.restore.open}/${r.restore.total} | **${r.eventLoop.p99Ms}** | ${r.eventLoop.maxMs} | ${r.rssMb} |`,
  );
  const at1000 = runs.filter((r) => r.sessions === 1000);
  const judged = at1000.find((r) => r.concurrency === DEFAULT.concurrency && r.rate === DEFAULT.rate);
  const verdict = (r: Restart | undefined) => {
    if (!r) return `not measured in this run (no 1000-session row with the default ${DEFAULT.concurrency} × ${DEFAULT.rate}/s)`;
    const time = r.spawnToAllOpenMs <= 20_000 ? `met (${round(r.spawnToAllOpenMs / 1000)} s)` : `missed by ${round((r.spawnToAllOpenMs - 20_000) / 1000)} s (${round(r.spawnToAllOpenMs / 1000)} s)`;
    const lag = r.eventLoop.p99Ms < 100 ? `met (${r.eventLoop.p99Ms} ms)` : `missed by ${round(r.eventLoop.p99Ms - 100)} ms (${r.eventLoop.p99Ms} ms)`;
    return `with the default ${r.concurrency} × ${r.rate}/s, 1000 sessions open ≤ 20 s after a restart: **${time}**; event-loop delay p99 < 100 ms: **${lag}**`;
  };
  const markdown = `
The gateway as a child process (embedded SQLite, \`fs\` state) with N saved, open sessions, against \`npm run sim\` in
another process: SIGTERM (graceful: sockets closed, state flushed), then a new process on the same data dir with
\`KIRIM_RESTORE_CONCURRENCY\` × \`KIRIM_RESTORE_RATE\` as in each row. The first \`GET /v1/metrics?reset=1\` is sent as soon
as the process listens, the event-loop delay is read when every session is \`open\` (polled every 100 ms). Times in ms.
The restore figure is the gateway's own (\`restore.elapsedMs\`: from reading the saved sessions to the last settling).
2 cores shared by gateway, simulator and other work.

| sessions | concurrency × rate | SIGTERM → exit | spawn → listening | restore (gateway) | spawn → all open | open | event-loop p99 | max | RSS MB |
|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Goals: ${verdict(judged)}.
More concurrency opens sessions sooner but blocks the event loop longer (every handshake and login is CPU work on
the same two cores as the simulator); 16 at a time is the default because it meets both goals.
`;
  return benchResult({
    name: 'restore',
    title: 'Restore after a restart (issue: session state)',
    markdown,
    data: runs,
  });
}
