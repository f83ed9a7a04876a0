import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { LocalEventBus } from '../../core/local-event-bus.js';
import { silentLogger } from '../../core/logger.js';
import { connectDatabase, migrate, type Db } from '../../db/index.js';
import { createTestPg } from '../../../test/support/pg.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { createWebhooks, type Webhooks, type WebhooksOptions } from '../create-webhooks.js';
import type { AttemptReport } from '../dispatcher.js';
import { WaitableList } from './waitable-list.js';
import { Keyring, keyringSealer } from '../../state-store/index.js';

/** A database both dialects can provide: `connect()` opens a new connection to the same data. */
export interface TestDatabase {
  name: string;
  create(): Promise<{ connect(): Db; cleanup(): Promise<void> }>;
}

export const TEST_DATABASES: TestDatabase[] = [
  {
    name: 'sqlite',
    async create() {
      const dir = tempDir('kirim-webhooks-');
      const file = path.join(dir.dir, 'kirim.db');
      return { connect: () => connectDatabase({ sqlitePath: file }), cleanup: async () => dir.cleanup() };
    },
  },
  {
    name: 'postgres',
    async create() {
      const pg = await createTestPg();
      return { connect: () => connectDatabase({ url: pg.url, poolSize: 4 }), cleanup: () => pg.drop() };
    },
  },
];

/** One gateway process as far as webhooks go: its own connection, event bus and dispatcher. */
export interface TestNode {
  db: Db;
  bus: LocalEventBus;
  webhooks: Webhooks;
  attempts: WaitableList<AttemptReport>;
  /** Stops webhooks (clean shutdown) and closes the connection. */
  stop(): Promise<void>;
}

export interface TestEnv {
  connect(): Db;
  /** A node sharing the database; started unless `start: false`. Defaults: private URLs allowed, fast polling. */
  node(overrides?: Partial<WebhooksOptions>, opts?: { start?: boolean }): Promise<TestNode>;
  cleanup(): Promise<void>;
}

export async function openEnv(database: TestDatabase): Promise<TestEnv> {
  const { connect, cleanup } = await database.create();
  const nodes: TestNode[] = [];
  let migrated = false;
  // the nodes of one environment share the state key, as a cluster's nodes do
  const secrets = keyringSealer(Keyring.generate(), 'webhook secret');
  return {
    connect,
    async node(overrides = {}, opts = {}) {
      const db = connect();
      if (!migrated) await migrate(db);
      migrated = true;
      const bus = new LocalEventBus(silentLogger);
      const attempts = new WaitableList<AttemptReport>();
      const webhooks = createWebhooks({
        db,
        events: bus,
        logger: silentLogger,
        allowPrivateUrls: true,
        nodeId: `node-${randomBytes(2).toString('hex')}`,
        retrySchedule: [100, 100, 100],
        pollMs: 50,
        stopTimeoutMs: 2_000,
        secrets,
        ...overrides,
        onAttempt: (r) => {
          attempts.push(r);
          overrides.onAttempt?.(r);
        },
      });
      let stopped: Promise<void> | undefined;
      const node: TestNode = {
        db,
        bus,
        webhooks,
        attempts,
        stop: () => (stopped ??= webhooks.stop().then(() => db.close())),
      };
      nodes.push(node);
      if (opts.start !== false) webhooks.start();
      return node;
    },
    async cleanup() {
      await Promise.all(nodes.map((n) => n.stop()));
      await cleanup();
    },
  };
}
