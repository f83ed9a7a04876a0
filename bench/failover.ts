import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestPg } from '../test/support/pg.js';
import { REDIS_URL } from '../test/support/redis.js';
import { tempDir } from '../test/support/temp-dir.js';
import { type BenchGateway, type PairedSession, pairMany, startBenchGateway } from './lib/fleet.js';
import { benchResult, type BenchResult } from './lib/report.js';
import { startSimProcess } from './lib/sim-process.js';
import { summary } from './lib/stats.js';

const SIZES = (process.env.BENCH_FAILOVER_SIZES ?? '60,300,1000').split(',').map(Number);
const TTL = Number(process.env.BENCH_LEASE_TTL_MS ?? 10_000);

interface Run {
  sessions: number;
  /** SIGKILL → every session open on another node. */
  allBackMs: number;
  /** SIGKILL → the first session open on another node (≈ lease expiry + placement). */
  firstBackMs: number;
  perSession: ReturnType<typeof summary>;
  conflicts: number;
  pairingS: number;
}

/**
 * Failover: N sessions on one node of three (PostgreSQL + Redis, state in the database, the
 * simulator in its own process); SIGKILL that node; time until every session is open again on the
 * other two — with the default lease TTL, so what a user gets.
 */
async function runOnce(n: number): Promise<Run> {
  const pg = await createTestPg();
  const sim = await startSimProcess(tempDir('kirim-bench-sim-').dir);
  const cluster = `bench${randomBytes(4).toString('hex')}`;
  const env = (id: string) => ({
    DATABASE_URL: pg.url,
    REDIS_URL,
    KIRIM_CLUSTER_NAME: cluster,
    KIRIM_NODE_ID: id,
    KIRIM_STATE_STORE: 'db',
    KIRIM_STATE_KEY: 'cd'.repeat(32),
    KIRIM_LEASE_TTL_MS: String(TTL),
    KIRIM_REBALANCE_MOVES: '0', // keep every session on the node that is going to die
    KIRIM_LOG_LEVEL: 'info',
  });
  const gws: BenchGateway[] = [];
  try {
    const victim = await startBenchGateway({ dataDir: tempDir('kirim-bench-n-').dir, simUrl: sim.url, env: env('victim') });
    gws.push(victim);
    const paired: PairedSession[] = [];
    const t0 = performance.now();
    await pairMany(victim, sim, 0, n, paired, { concurrency: 4, every: 100 });
    const pairingS = (performance.now() - t0) / 1000;
    for (const id of ['b', 'c']) gws.push(await startBenchGateway({ dataDir: tempDir('kirim-bench-n-').dir, simUrl: sim.url, env: env(id) }));
    const [b] = gws.slice(1);
    // wait until the victim's state is all written and every node is in the cluster
    for (;;) {
      const m = await victim.metrics();
      const nodes = (await b.api.get('/v1/nodes')).body.nodes as Array<{ status: string }>;
      if (m.stateStore.pending === 0 && nodes.filter((x) => x.status === 'active').length === 3) break;
      await sleep(200);
    }
    const ids = new Set(paired.map((p) => p.id));
    const backAt = new Map<string, number>();
    b.events.on((e, at) => {
      if (e.event === 'session.status' && ids.has(e.data.sessionId) && e.data.data.status === 'open' && !backAt.has(e.data.sessionId)) backAt.set(e.data.sessionId, at);
    });
    const killedAt = performance.now();
    await victim.stop('SIGKILL');
    gws.shift();
    while (backAt.size < n) {
      if (performance.now() - killedAt > 300_000) throw new Error(`only ${backAt.size}/${n} back after 300 s`);
      await sleep(100);
    }
    const times = [...backAt.values()].map((t) => t - killedAt);
    const conflicts = (await sim.admin.stats()).conflicts;
    return { sessions: n, allBackMs: Math.max(...times), firstBackMs: Math.min(...times), perSession: summary(times), conflicts, pairingS };
  } finally {
    await Promise.all(gws.map((g) => g.stop('SIGKILL').catch(() => undefined)));
    await sim.stop();
    await pg.drop();
  }
}

export async function run(): Promise<BenchResult> {
  const runs: Run[] = [];
  for (const n of SIZES) {
    process.stderr.write(`failover with ${n} sessions\n`);
    runs.push(await runOnce(n));
  }
  const s = (ms: number) => (ms / 1000).toFixed(1);
  const goal = (r: Run) => (r.sessions <= 60 ? 15_000 : r.sessions >= 1000 ? 30_000 : null);
  const rows = runs.map((r) => {
    const g = goal(r);
    const verdict = g === null ? '' : r.allBackMs <= g ? `met (≤ ${g / 1000} s)` : `**missed** by ${s(r.allBackMs - g)} s (goal ${g / 1000} s)`;
    return `| ${r.sessions} | ${s(r.firstBackMs)} | ${s(r.perSession.p50)} | ${s(r.perSession.p95)} | **${s(r.allBackMs)}** | ${r.conflicts} | ${verdict} |`;
  });
  const markdown = `
Three gateway nodes as child processes on one PostgreSQL schema and Redis (state store \`db\`, lease TTL
${TTL / 1000} s — the default — renewed every ${TTL / 2000} s, cluster tick 1 s), the simulator in its own process, all on this
2-core machine. N sessions are paired on one node (rebalancing off so they stay there), the other two join, then the
first node gets \`SIGKILL\`. Times from the kill until each session is \`open\` again on a surviving node (SSE on a
survivor). The first sessions come back once the dead node's leases expire (between TTL/2 and TTL after the kill,
depending on when it last renewed), the leader reassigns them within a tick, and the new owners log them in from the
shared state at the restore pace. \`conflicts\` is the simulator's count of devices connected twice at once.

| sessions on the dead node | first back s | p50 s | p95 s | all back s | conflicts | goal |
|---|---|---|---|---|---|---|
${rows.join('\n')}

Pairing the sessions before each run took ${runs.map((r) => `${Math.round(r.pairingS)} s (${r.sessions})`).join(', ')}.
`;
  return benchResult({
    name: 'failover',
    title: 'Failover after SIGKILL (issue: cluster mode)',
    command: `npm run bench -- failover${process.env.BENCH_FAILOVER_SIZES ? ` (BENCH_FAILOVER_SIZES=${process.env.BENCH_FAILOVER_SIZES})` : ''}`,
    markdown,
    data: runs,
  });
}
