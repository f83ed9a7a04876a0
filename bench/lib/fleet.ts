import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient } from '../../test/support/api-client.js';
import { startGatewayProcess, type GatewayProcess } from '../../test/support/gateway-process.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { GatewayEvents } from './gateway-events.js';
import { Inspector } from './inspector.js';
import { startSimProcess, type SimProcess } from './sim-process.js';

export const BENCH_KEY = 'bench-key-0123456789abcdef';
/** Sessions paired at once (`BENCH_PAIR_CONCURRENCY`). */
export const PAIR_CONCURRENCY = Number(process.env.BENCH_PAIR_CONCURRENCY ?? 4);

/** `GET /v1/metrics`, as src/api/routes/metrics.ts answers it. */
export interface Metrics {
  memory: { rssBytes: number; heapUsedBytes: number; heapTotalBytes: number; externalBytes: number; arrayBuffersBytes: number };
  eventLoop: { p50Ms: number; p99Ms: number; maxMs: number; meanMs: number; sinceMs: number };
  sessions: { live: number; byStatus: Record<string, number> };
  stateStore: { kind: string; pending: number; failing: number; oldestPendingMs: number | null; lastError: string | null };
  restore: { total: number; started: number; open: number; failed: number; elapsedMs: number; done: boolean } | null;
  uptimeSeconds: number;
}

export interface BenchGateway {
  proc: GatewayProcess;
  url: string;
  api: ApiClient;
  events: GatewayEvents;
  /** Present when started with `inspect`: forces GC and evaluates in the gateway process. */
  inspector?: Inspector;
  /** `performance.now()` just before the process was spawned, and when it logged "kirim listening". */
  spawnedAt: number;
  listeningAt: number;
  metrics(reset?: boolean): Promise<Metrics>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface BenchGatewayOptions {
  dataDir: string;
  simUrl: string;
  env?: Record<string, string>;
  /** Start with `--inspect=127.0.0.1:0` and connect to it (memory measurements). */
  inspect?: boolean;
  /** Reset the event-loop delay window as soon as the process listens. */
  resetMetricsAtStart?: boolean;
}

/** The real gateway as a child process (test/support/gateway-process.ts) pointed at a simulator process. */
export async function startBenchGateway(o: BenchGatewayOptions): Promise<BenchGateway> {
  const spawnedAt = performance.now();
  const proc = await startGatewayProcess(
    {
      KIRIM_DATA_DIR: o.dataDir,
      KIRIM_SANDBOX_URL: o.simUrl,
      KIRIM_API_KEY: BENCH_KEY,
      ...(o.inspect ? { NODE_OPTIONS: '--inspect=127.0.0.1:0' } : {}),
      ...o.env,
    },
    60_000,
  );
  const listeningAt = performance.now();
  const api = new ApiClient(proc.url, BENCH_KEY);
  const metrics = async (reset = false) => {
    const r = await api.get<Metrics>(`/v1/metrics${reset ? '?reset=1' : ''}`);
    if (r.status !== 200) throw new Error(`GET /v1/metrics answered ${r.status}`);
    return r.body;
  };
  if (o.resetMetricsAtStart) await metrics(true);
  // the test helper keeps every log line; a long run only needs the last ones
  const trim = setInterval(() => proc.logs.splice(0, Math.max(0, proc.logs.length - 500)), 1000);
  trim.unref();
  const inspector = o.inspect ? await Inspector.connect(Inspector.urlFromLogs(proc.logs)) : undefined;
  const events = new GatewayEvents(proc.url, BENCH_KEY);
  await events.ready;
  return {
    proc,
    url: proc.url,
    api,
    events,
    inspector,
    spawnedAt,
    listeningAt,
    metrics,
    async stop(signal = 'SIGTERM') {
      clearInterval(trim);
      events.close();
      inspector?.close();
      return proc.stop(signal);
    },
  };
}

export interface PairedSession {
  id: string;
  phone: string;
}

/** The phone number of the i-th benchmark account, and of the j-th simulated contact. */
export const accountPhone = (i: number) => `6287${String(i).padStart(9, '0')}`;
export const contactPhone = (j: number) => `6289${String(j).padStart(9, '0')}`;

/**
 * Creates a session through the API, lets a simulated phone scan its QR and waits until it is
 * `open`. One retry (a fresh session) if the first attempt times out under load.
 */
export async function pairOne(gw: BenchGateway, sim: SimProcess, phone: string, timeoutMs = 120_000): Promise<PairedSession> {
  for (let attempt = 1; ; attempt++) {
    const created = await gw.api.post('/v1/sessions', { name: `bench ${phone}` });
    if (created.status !== 201) throw new Error(`POST /v1/sessions answered ${created.status}: ${JSON.stringify(created.body)}`);
    const id: string = created.body.id;
    try {
      const { qr } = await gw.events.waitSession(id, (s) => !!s.qr, timeoutMs, 'a QR code');
      await sim.admin.scan(qr!, phone);
      await gw.events.waitSession(id, (s) => s.status === 'open', timeoutMs, 'open');
      return { id, phone };
    } catch (err) {
      if (attempt >= 2) throw err;
      process.stderr.write(`  pairing ${phone} failed (${(err as Error).message}); retrying once\n`);
      await gw.api.delete(`/v1/sessions/${id}`).catch(() => undefined);
      gw.events.forget(id);
    }
  }
}

/**
 * Pairs accounts `from … to-1` through the API, `concurrency` at a time (pairing is CPU-bound:
 * 812 pre-keys per session), appending each to `out` as it opens and logging progress every
 * `every` sessions. Starts no new pairing after `deadline` (a `performance.now()` time).
 */
export async function pairMany(
  gw: BenchGateway,
  sim: SimProcess,
  from: number,
  to: number,
  out: PairedSession[],
  { concurrency = 4, every = 100, deadline = Infinity }: { concurrency?: number; every?: number; deadline?: number } = {},
): Promise<void> {
  let next = from;
  let done = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, to - from)) }, async () => {
      while (next < to && performance.now() < deadline) {
        const i = next++;
        out.push(await pairOne(gw, sim, accountPhone(i)));
        if (++done % every === 0) {
          const s = (performance.now() - t0) / 1000;
          process.stderr.write(`  paired ${from + done}/${to} (${(done / s).toFixed(1)}/s, ${Math.round(s)} s)\n`);
        }
      }
    }),
  );
}

/** Waits until `open` sessions are open and the state store has nothing pending; returns the last metrics. */
export async function waitSettled(gw: BenchGateway, open: number, timeoutMs = 300_000): Promise<Metrics> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const m = await gw.metrics();
    if ((m.sessions.byStatus.open ?? 0) >= open && m.stateStore.pending === 0) return m;
    if (performance.now() > deadline) throw new Error(`not settled after ${timeoutMs} ms: ${JSON.stringify({ sessions: m.sessions, stateStore: m.stateStore })}`);
    await sleep(250);
  }
}

/** A simulator process and a gateway process on fresh temp dirs. */
export interface Fleet {
  sim: SimProcess;
  gw: BenchGateway;
  gwDir: string;
  sessions: PairedSession[];
  /** SIGTERM the gateway (graceful) and start a new one on the same data dir. */
  restart(o?: Partial<BenchGatewayOptions>): Promise<BenchGateway>;
  /** Pairs more sessions until there are `n` (or `deadline` passed); returns how many there are. */
  growTo(n: number, opts?: { concurrency?: number; deadline?: number }): Promise<number>;
  close(): Promise<void>;
}

export async function startFleet(o: Partial<BenchGatewayOptions> = {}): Promise<Fleet> {
  const simDir = tempDir('kirim-bench-sim-');
  const gwDir = tempDir('kirim-bench-gw-');
  const sim = await startSimProcess(simDir.dir);
  let options: BenchGatewayOptions = { ...o, dataDir: gwDir.dir, simUrl: sim.url };
  const fleet: Fleet = {
    sim,
    gw: await startBenchGateway(options),
    gwDir: gwDir.dir,
    sessions: [],
    async restart(more = {}) {
      const code = await fleet.gw.stop('SIGTERM');
      if (code !== 0) throw new Error(`gateway exited with ${code} on SIGTERM:\n${fleet.gw.proc.logs.slice(-20).join('\n')}`);
      options = { ...options, ...more };
      fleet.gw = await startBenchGateway(options);
      return fleet.gw;
    },
    async growTo(n, { concurrency = PAIR_CONCURRENCY, deadline = Infinity } = {}) {
      if (fleet.sessions.length < n) await pairMany(fleet.gw, sim, fleet.sessions.length, n, fleet.sessions, { concurrency, deadline });
      return fleet.sessions.length;
    },
    async close() {
      await fleet.gw.stop('SIGTERM').catch(() => undefined);
      await sim.stop();
      simDir.cleanup();
      gwDir.cleanup();
    },
  };
  return fleet;
}
