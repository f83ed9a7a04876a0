import { setTimeout as sleep } from 'node:timers/promises';
import { accountPhone, pairOne, startFleet, waitSettled, type BenchGateway, type Fleet, type Metrics } from './lib/fleet.js';
import { benchResult, type BenchResult } from './lib/report.js';
import { percentile, round } from './lib/stats.js';

/** Session counts to measure at; `BENCH_SESSIONS=20,50` for a quick run. */
const SIZES = (process.env.BENCH_SESSIONS ?? '100,1000').split(',').map(Number);
const SIZES_5000 = (process.env.BENCH_SESSIONS ?? '100,1000,2000,5000').split(',').map(Number);
/** Idle time after the last session opened and the state backlog emptied, before sampling. */
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 10_000);
const SAMPLES = 3;
const MB = 2 ** 20;

type Mem = Metrics['memory'];

interface Point {
  sessions: number;
  /** Medians of SAMPLES readings, each after a forced full GC. */
  gc: Mem;
  /** One reading after the settle time, before any forced GC. */
  noGc: Mem;
  pairSeconds: number;
  /** AsyncLocalStorage instances stamped on a new timer (see process-patches.ts): 1 per socket ever opened without the fix. */
  asyncStorages: number;
}

/** How many enabled AsyncLocalStorages Node stamps on every new async resource in the gateway. */
const countAsyncStorages = (gw: BenchGateway) =>
  gw.inspector!.evaluate<number>(
    `(() => { const t = setTimeout(() => {}, 0); clearTimeout(t); return Object.getOwnPropertySymbols(t).filter((s) => s.description === 'kResourceStore').length; })()`,
  );

/** Reads memory `SAMPLES` times, a full GC (through the inspector) before each; returns the medians. */
async function sample(gw: BenchGateway): Promise<Mem> {
  const readings: Mem[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    await gw.inspector!.gc();
    readings.push((await gw.metrics()).memory);
    if (i < SAMPLES - 1) await sleep(1000);
  }
  const med = (k: keyof Mem) => percentile(readings.map((r) => r[k]), 50);
  return { rssBytes: med('rssBytes'), heapUsedBytes: med('heapUsedBytes'), heapTotalBytes: med('heapTotalBytes'), externalBytes: med('externalBytes'), arrayBuffersBytes: med('arrayBuffersBytes') };
}

/**
 * Warm-up: 5 sessions paired and deleted, so the baseline has loaded every module and JIT'd the
 * pairing, login and API paths that the measured sessions use. Then the 0-session baseline.
 */
async function baseline(fleet: Fleet): Promise<Mem> {
  for (let i = 0; i < 5; i++) {
    const s = await pairOne(fleet.gw, fleet.sim, accountPhone(900_000 + i));
    const r = await fleet.gw.api.delete(`/v1/sessions/${s.id}`);
    if (r.status !== 204) throw new Error(`DELETE session answered ${r.status}`);
    fleet.gw.events.forget(s.id);
  }
  await waitSettled(fleet.gw, 0);
  await sleep(SETTLE_MS);
  return sample(fleet.gw);
}

async function measure(sizes: number[], maxMinutes: number, name: string, title: string, command: string): Promise<BenchResult> {
  const fleet = await startFleet({ inspect: true });
  const points: Point[] = [];
  const started = performance.now();
  const deadline = started + maxMinutes * 60_000;
  let stopped: string | undefined;
  let base: Mem;
  try {
    base = await baseline(fleet);
    process.stderr.write(`  baseline: rss ${round(base.rssBytes / MB)} MB, heap ${round(base.heapUsedBytes / MB)} MB\n`);
    for (const target of sizes) {
      const t0 = performance.now();
      let n: number;
      try {
        n = await fleet.growTo(target, { deadline });
      } catch (err) {
        stopped = `pairing failed at ${fleet.sessions.length} sessions: ${(err as Error).message}`;
        n = fleet.sessions.length;
      }
      if (n < target && !stopped) stopped = `stopped pairing after ${Math.round((performance.now() - started) / 60_000)} min (BENCH_MAX_MINUTES) at ${n} of ${target} sessions`;
      const pairSeconds = (performance.now() - t0) / 1000;
      if (n === 0) break;
      await waitSettled(fleet.gw, n);
      await sleep(SETTLE_MS);
      const noGc = (await fleet.gw.metrics()).memory;
      const gc = await sample(fleet.gw);
      points.push({ sessions: n, gc, noGc, pairSeconds, asyncStorages: await countAsyncStorages(fleet.gw) });
      process.stderr.write(`  ${n} sessions: rss ${round(gc.rssBytes / MB)} MB (${round((gc.rssBytes - base.rssBytes) / n / 1024)} KiB/session)\n`);
      if (stopped) break;
    }
  } finally {
    await fleet.close();
  }
  const totalMinutes = (performance.now() - started) / 60_000;
  return report(name, title, command, base, points, sizes, totalMinutes, stopped);
}

const kib = (bytes: number) => Math.round(bytes / 1024);

/**
 * What the investigation found (heap snapshots of the gateway at 0 and 100 sessions, compared by
 * constructor and retainer; CPU profiles), and the same benchmark before the changes to Baileys' setup (now in src/sessions/baileys/process-patches.ts).
 * Static text: re-measure by checking out engine.ts of commit 7b1075a and running this benchmark.
 */
const FINDINGS = `
**Before and after the changes to Baileys' setup** (\`src/sessions/baileys/process-patches.ts\`) (same command and machine, 2026-11-22; before = engine.ts of commit 7b1075a):

| | RSS KiB / session at 100 | at 1000 | heap used KiB / session at 1000 | RSS KiB / session at 1000 without forced GC | pairing 1000 sessions (4 at a time) |
|---|---|---|---|---|---|
| before | 365 | **1004** | 728 | 2464 | 1212 s (0.4/s for the last 100) |
| after | see the table above | | | | |

Where the memory went, per session (self sizes in heap snapshots at 100 sessions minus 0, after a forced GC; heap used
from \`/v1/metrics\`):

| | before | async-context fix | + shared caches |
|---|---|---|---|
| heap used KiB / session | 235 | 169 | 148 |
| heap objects, total self size KiB / session | 267 | 212 | 190 |
| of which internal arrays KiB / session | 151 | 93 | 82 |
| off-heap (array buffers) KiB / session | 41 | 42 | 41 |

1. **One AsyncLocalStorage per socket, never released** (Baileys' \`addTransactionCapability\`, WhiskeySockets/Baileys#2806):
   Node 20 stamps every enabled storage on every new promise, timer and socket, so each async resource grew with
   the number of sockets ever opened (2 per pairing: before and after the restart the protocol requires), and every
   \`await\` in the process paid a loop over them. At 100 sessions a live timer or promise carried ~200 extra
   properties (6 KB); at 1000, ~2000. That is why memory per session *grew* with N (365 → 1004 KiB) and pairing
   slowed from 1.5/s to 0.4/s. Fix: while \`makeWASocket\` runs, Baileys gets a view class whose instances
   keep their store in one shared AsyncLocalStorage keyed by the view (the approach of Baileys#2722): one enabled
   storage however many sockets. The column "async-context storages" above counts them in the running gateway.
2. **Per-socket caches that Baileys lets the caller share**: retry counters, placeholder resends and call offers are
   keyed by message/call ids, so kirim passes every socket a per-session view of one shared TTL cache of each (−3 NodeCaches,
   ~6 KB and an interval timer each; Baileys recommends sharing the retry counter so it survives reconnects).
   The user-devices cache is left per socket: its lists leave out the asking account's own device.
3. **What remains** (~150 KiB heap + 41 KiB off-heap per session): Baileys' MessageRetryManager preallocates its
   lru-cache arrays — 512 recent messages and 1024 base keys with TTL tracking, ~92 KiB of arrays and ~9 KiB of
   typed arrays per socket before the first message (not configurable; only \`enableRecentMessageCache: false\` removes
   it, which also drops retry handling, session re-creation and placeholder requests — kept); the pre-key stock,
   812 × 32 B = 25 KiB off-heap (by design: any uploaded pre-key may be used); closures, Maps and mutexes of the
   socket layers; the WebSocket and noise buffers. kirim's own runtime, state handle and child loggers are under
   1 KiB per session.
4. At 100 sessions RSS per session includes one-time costs the warm-up did not cover (code and heap pages of paths
   only sessions that stay open use) and a few MB of page-level noise; the marginal figure from 100 to 1000 is the
   better estimate of what one more session costs.
`;

function report(name: string, title: string, command: string, base: Mem, points: Point[], sizes: number[], minutes: number, stopped?: string): BenchResult {
  const goalKiB = 1.5 * 1024;
  const per = (p: Point, k: keyof Mem, m: Mem = p.gc) => (m[k] - base[k]) / p.sessions;
  const rows = points.map((p, i) => {
    const prev = points[i - 1];
    const marginal = prev ? kib((p.gc.rssBytes - prev.gc.rssBytes) / (p.sessions - prev.sessions)) : '';
    return `| ${p.sessions} | ${round(p.gc.rssBytes / MB)} | **${kib(per(p, 'rssBytes'))}** | ${marginal} | ${kib(per(p, 'heapUsedBytes'))} | ${kib(per(p, 'externalBytes'))} | ${kib(per(p, 'arrayBuffersBytes'))} | ${kib(per(p, 'rssBytes', p.noGc))} | ${round(p.pairSeconds, 0)} | ${p.asyncStorages} |`;
  });
  const last = points.at(-1)!;
  const worst = Math.max(...points.map((p) => per(p, 'rssBytes')));
  const verdict =
    worst / 1024 <= goalKiB
      ? `**met** at every size (worst ${kib(worst)} KiB per session)`
      : `**missed** (worst ${kib(worst)} KiB per session, ${kib(worst - goalKiB * 1024)} KiB over)`;
  const markdown = `
The gateway as a child process (embedded SQLite, \`fs\` state store, log level info) against \`npm run sim\` in
another process. Sessions are paired through the API, ${process.env.BENCH_PAIR_CONCURRENCY ?? 4} at a time (QR → simulated scan → \`open\`),
and stay connected, idle. Warm-up: 5 sessions paired and deleted before the 0-session baseline. At each size, once
every session is \`open\` and the state backlog is 0, and after ${SETTLE_MS / 1000} s idle: ${SAMPLES} readings of \`GET /v1/metrics\`, each
right after a full GC forced through the inspector (the bench starts the gateway with \`--inspect=127.0.0.1:0\`;
no debug route in the product), medians. Per session = (value at N − value at 0 sessions) / N.

Baseline (0 sessions, after warm-up): RSS ${round(base.rssBytes / MB)} MB, heap used ${round(base.heapUsedBytes / MB)} MB, external ${round(base.externalBytes / MB)} MB.

| sessions | RSS MB | RSS KiB / session | marginal KiB / session (from the previous size) | heap used KiB / session | external KiB / session | array buffers KiB / session | RSS KiB / session without forced GC | pairing time s | async-context storages |
|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Goal: ≤ 1.5 MB (1536 KiB) RSS per open session — ${verdict}. For comparison, a bare Baileys socket with its
pre-keys in memory measured 0.8–1.15 MB. At ${last.sessions} sessions the heap holds ${kib(per(last, 'heapUsedBytes'))} KiB per session and
external memory ${kib(per(last, 'externalBytes'))} KiB; the rest of RSS is the V8 heap's free space, code, and native allocations
(sockets, zlib, crypto). The machine has 2 cores shared with other work: pairing times are indicative only.
The whole run (pairing ${points.at(-1)?.sessions ?? 0} of ${sizes.at(-1)} sessions, settling, sampling) took ${Math.round(minutes)} min.${stopped ? ` **Not every size was reached: ${stopped}.**` : ''}
${FINDINGS}`;
  return benchResult({
    name,
    title,
    command,
    markdown,
    data: { baseline: base, points, settleMs: SETTLE_MS, samples: SAMPLES, sizes, minutes: round(minutes), stopped: stopped ?? null },
  });
}

export async function run(): Promise<BenchResult> {
  return measure(SIZES, Number(process.env.BENCH_MAX_MINUTES ?? Infinity), 'memory', 'Memory per open session (issue: session state)', 'npm run bench -- memory');
}

/** `npm run bench -- memory-5000`: the same, up to 5000 sessions on one node (long: pairing is CPU-bound). */
export async function run5000(): Promise<BenchResult> {
  return measure(SIZES_5000, Number(process.env.BENCH_MAX_MINUTES ?? 120), 'memory-5000', '5000 sessions open on one node (issue: session state)', 'npm run bench -- memory-5000');
}
