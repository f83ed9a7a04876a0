import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startGatewayProcess, type GatewayProcess } from './gateway-process.js';
import { ApiClient } from './api-client.js';
import { openSse, type SseClient } from './sse.js';
import { tempDir } from './temp-dir.js';
import { createTestPg, type TestPg } from './pg.js';
import { REDIS_URL } from './redis.js';
import type { TestSim } from './sim.js';

export const CLUSTER_KEY = 'cluster-test-key-0123456789';

export interface TestNode {
  id: string;
  proc: GatewayProcess;
  api: ApiClient;
  dataDir: string;
  env: Record<string, string>;
}

/**
 * A cluster of real gateway processes on one fresh PostgreSQL schema and a Redis channel of its
 * own, all pointed at one simulator; short leases so failover tests finish quickly.
 */
export class TestCluster {
  readonly nodes = new Map<string, TestNode>();
  private readonly dirs: Array<{ cleanup(): void }> = [];
  private readonly streams: SseClient[] = [];
  private constructor(
    readonly sim: TestSim,
    readonly pg: TestPg,
    readonly name: string,
    readonly leaseTtlMs: number,
  ) {}

  static async create(sim: TestSim, leaseTtlMs = 3000): Promise<TestCluster> {
    return new TestCluster(sim, await createTestPg(), `t${randomBytes(5).toString('hex')}`, leaseTtlMs);
  }

  envFor(id: string, dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      DATABASE_URL: this.pg.url,
      REDIS_URL,
      KIRIM_CLUSTER_NAME: this.name,
      KIRIM_NODE_ID: id,
      KIRIM_DATA_DIR: dataDir,
      KIRIM_STATE_STORE: 'db',
      KIRIM_STATE_KEY: 'ab'.repeat(32),
      KIRIM_SANDBOX_URL: this.sim.sim.url,
      KIRIM_API_KEY: CLUSTER_KEY,
      KIRIM_LEASE_TTL_MS: String(this.leaseTtlMs),
      KIRIM_CLUSTER_TICK_MS: '250',
      KIRIM_REBALANCE_MOVES: '3',
      ...extra,
    };
  }

  async start(id: string, extra: Record<string, string> = {}): Promise<TestNode> {
    const existing = this.nodes.get(id);
    const dataDir = existing?.dataDir ?? this.newDir();
    const env = { ...(existing?.env ?? this.envFor(id, dataDir)), ...extra };
    const proc = await startGatewayProcess(env);
    const node = { id, proc, api: new ApiClient(proc.url, CLUSTER_KEY), dataDir, env };
    this.nodes.set(id, node);
    return node;
  }

  node(id: string): TestNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  sse(id: string): SseClient {
    const s = openSse(`${this.node(id).proc.url}/v1/events`, { authorization: `Bearer ${CLUSTER_KEY}` });
    this.streams.push(s);
    return s;
  }

  /** Polls until `check` holds (cross-process state has no event to await), failing with its last value. */
  async until<T>(what: string, read: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: T = await read();
    while (!check(last)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
      await new Promise((r) => setTimeout(r, 100));
      last = await read();
    }
    return last;
  }

  /** Sessions as any node reports them. */
  async sessions(via: string): Promise<Array<{ id: string; status: string; node: string | null }>> {
    return (await this.node(via).api.get('/v1/sessions')).body.sessions;
  }

  async close(): Promise<void> {
    for (const s of this.streams) s.close();
    await Promise.all([...this.nodes.values()].map((n) => n.proc.stop('SIGKILL')));
    // KIRIM_TEST_LOG_DIR=/tmp/x keeps each node's log (of its last run) for debugging a failure
    const logDir = process.env.KIRIM_TEST_LOG_DIR;
    if (logDir) {
      fs.mkdirSync(logDir, { recursive: true });
      for (const n of this.nodes.values()) fs.writeFileSync(path.join(logDir, `${this.name}-${n.id}.log`), n.proc.logs.join('\n'));
    }
    await this.pg.drop();
    for (const d of this.dirs) d.cleanup();
  }

  private newDir(): string {
    const d = tempDir('kirim-node-');
    this.dirs.push(d);
    return d.dir;
  }
}
