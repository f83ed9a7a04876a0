import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { serve, type ServerType } from '@hono/node-server';
import type { Config } from './config/index.js';
import { ensureSecretFile } from './config/secrets.js';
import { resolveApiKey } from './api-key.js';
import { createEventBus, setupCluster } from './cluster/setup.js';
import type { ClusterNode } from './cluster/cluster-node.js';
import { type Clock, systemClock } from './core/clock.js';
import { ALL_WORKSPACES, type EventBus, makeEvent } from './core/events.js';
import type { Logger } from './core/logger.js';
import { connectDatabase, migrate, ping, type Db } from './db/index.js';
import { createApp, type App } from './api/app.js';
import { localNodeDirectory } from './cluster/index.js';
import { SessionRepo, SessionService } from './sessions/index.js';
import { createBaileysEngine } from './sessions/baileys/engine.js';
import { createStateStore, FsStateStore, keyringSealer, loadKeyring, spillStateRoot, StateVault } from './state-store/index.js';
import { ContactDirectory, MessageRepo, MessageService } from './messages/index.js';
import { chatRoutes, messageRoutes } from './api/routes/messages.js';
import { sandboxRoutes } from './api/routes/sandbox.js';
import { createWebhooks } from './webhooks/index.js';
import { webhookRoutes } from './api/routes/webhooks.js';
import { staticSite } from './api/static-site.js';
import { metricsRoutes } from './api/routes/metrics.js';
import { ProcessMonitor } from './core/process-metrics.js';
import type { RestoreProgress } from './sessions/index.js';
import { connectSandbox, type Sandbox } from './sandbox.js';

export const DEFAULT_WORKSPACE = 'default';

export interface Gateway {
  app: App;
  config: Readonly<Config>;
  url: string;
  apiKey: string;
  nodeId: string;
  sessions: SessionService;
  messages: MessageService;
  events: EventBus;
  db: Db;
  vault: StateVault;
  sandbox?: Sandbox;
  cluster?: ClusterNode;
  /** Resolves when saved sessions have been restored (started), with progress figures. */
  restored: Promise<unknown>;
  close(): Promise<void>;
}

export interface GatewayOptions {
  logger: Logger;
  clock?: Clock;
  /** Start listening (default true); tests may drive `app.request()` instead. */
  listen?: boolean;
  /** Called once with a freshly generated API key (main.ts prints it). */
  onApiKeyCreated?(key: string): void;
  /** Overrides for runtime knobs (tests shorten backoff). */
  runtime?: ConstructorParameters<typeof SessionService>[0]['runtime'];
}

/** The composition root: config → adapters → services → HTTP app → listening server. */
export async function startGateway(config: Readonly<Config>, opts: GatewayOptions): Promise<Gateway> {
  const logger = opts.logger;
  const clock = opts.clock ?? systemClock;
  const nodeId =
    config.nodeId ?? ensureSecretFile(config.dataDir, 'node-id', () => `${os.hostname().split('.')[0].slice(0, 24)}-${randomBytes(3).toString('hex')}`).value;

  const db = connectDatabase({ url: config.databaseUrl, sqlitePath: path.join(config.dataDir, 'kirim.db') });
  await migrate(db);
  await db.db
    .insertInto('workspaces')
    .values({ id: DEFAULT_WORKSPACE, name: 'Default', created_at: clock.now() })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const auth = await resolveApiKey(config, db, opts.onApiKeyCreated);

  let url = `http://${config.host}:${config.port}`;
  const repo = new SessionRepo(db.db);
  const events = await createEventBus(config, nodeId, logger);
  const cluster = config.databaseUrl ? await setupCluster({ config, db, repo, nodeId, url: () => url, events, logger }) : undefined;
  const keyring = loadKeyring({ stateKey: config.stateKey, previous: config.stateKeyPrevious, dataDir: config.dataDir });
  const rawStore = createStateStore(config.stateStore, { dataDir: config.dataDir, db, logger });
  const store = cluster ? cluster.fence(rawStore) : rawStore;
  // a write refused for a stale epoch: another node owns the session now
  // what the store does not take by the end of a shutdown is spilled to the data dir, and replayed below
  const spill = new FsStateStore(spillStateRoot(config.dataDir));
  const vault = new StateVault({ store, keyring, logger, clock, spill, onFenceLost: (ref) => void sessions.leaseLost(ref.sessionId) });

  let sandbox: Sandbox | undefined;
  if (config.sandbox || config.sandboxUrl) {
    sandbox = await connectSandbox(config, logger);
  }
  const engine = createBaileysEngine({
    waWebSocketUrl: sandbox?.wsUrl,
    rootPublicKey: sandbox?.rootPublicKey,
    libraryLogLevel: config.logLevel === 'trace' ? 'debug' : 'fatal',
    logger,
    qrTimeoutMs: config.qrTimeoutMs,
  });

  const sessions: SessionService = new SessionService({
    repo,
    engine,
    vault,
    events,
    logger,
    clock,
    nodeId,
    runtime: opts.runtime,
    restore: { concurrency: config.restoreConcurrency, ratePerSecond: config.restoreRate },
    ownership: cluster?.node.ownership,
  });

  const messageRepo = new MessageRepo(db.db);
  const messages = new MessageService({
    repo: messageRepo,
    contacts: new ContactDirectory(db.db, messageRepo),
    sessions,
    events,
    logger,
    clock,
    queueLimit: config.sendQueueLimit,
    normalizeJid: (to) => engine.normalizeJid(to),
    newWaId: () => engine.newMessageId(),
  });
  sessions.setTraffic(messages);

  const webhooks = createWebhooks({
    db,
    events,
    logger: logger.child({ module: 'webhooks' }),
    clock,
    allowPrivateUrls: config.allowPrivateUrls,
    nodeId,
    secrets: keyringSealer(keyring, 'webhook secret'),
    retentionMs: config.webhookRetentionDays * 86_400_000,
    changes: cluster && {
      announce: () => cluster.signals.broadcast('webhooks'),
      onChange: (listener) => cluster.signals.on('webhooks', listener),
    },
  });

  const monitor = new ProcessMonitor();
  let lastRestore: RestoreProgress | null = null;
  let ready = false;
  const app = createApp({
    logger,
    auth: auth.resolver,
    sessions,
    events,
    router: cluster?.router,
    nodes: cluster?.node ?? localNodeDirectory({
      id: nodeId,
      url: () => config.nodeUrl ?? url,
      region: config.region ?? null,
      capacity: config.nodeCapacity,
      clock,
      countSessions: () => sessions.liveCount(),
    }),
    health: {
      async report() {
        const backlog = vault.backlog();
        return {
          status: backlog.failing > 0 || backlog.spilled > 0 ? 'degraded' : 'ok',
          node: nodeId,
          sessions: sessions.liveCount(),
          stateStore: { kind: store.kind, ...backlog },
        };
      },
      async ready() {
        if (!ready) return { ready: false, reason: 'starting' };
        try {
          await ping(db);
          return { ready: true };
        } catch (err) {
          return { ready: false, reason: `database unreachable: ${(err as Error).message}` };
        }
      },
    },
    maxBodyBytes: config.maxBodyBytes,
    staticSite: staticSite(),
    extensions: [(a) => messageRoutes(a, messages), (a) => chatRoutes(a, messages), (a) => sandboxRoutes(a, sandbox), (a) => webhookRoutes(a, webhooks.service),
      (a) =>
        metricsRoutes(a, {
          async read(reset) {
            return {
              node: nodeId,
              ...monitor.read(reset),
              sessions: { live: sessions.liveCount(), byStatus: sessions.countByStatus() },
              stateStore: { kind: store.kind, ...vault.backlog() },
              restore: lastRestore,
            };
          },
        }),
    ],
  });

  let server: ServerType | undefined;
  if (opts.listen !== false) {
    server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, (info) => {
        url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${info.port}`;
        resolve(s);
      });
      s.once('error', reject);
    });
  }
  webhooks.start(); // before restoring, so the restored sessions' events are queued
  const onRestore = (p: RestoreProgress) => {
    lastRestore = p;
    events.publish(makeEvent('node.restore', ALL_WORKSPACES, '', { node: nodeId, ...p }, clock));
  };
  // state spilled at the last shutdown goes back to the store first (in cluster mode under a lease)
  const ownership = cluster?.node.ownership;
  await vault.replaySpills(ownership && { acquire: (ref) => ownership.acquire(ref.sessionId), release: (ref) => ownership.release(ref.sessionId) });
  // embedded: reconnect every saved session; cluster: take the sessions the cluster assigns here
  const restored = cluster ? cluster.node.start(sessions, onRestore) : sessions.restore(onRestore);
  if (cluster) await restored;
  ready = true;

  let closing: Promise<void> | undefined;
  return {
    app,
    config,
    get url() {
      return url;
    },
    apiKey: auth.key ?? '',
    nodeId,
    cluster: cluster?.node,
    sessions,
    messages,
    events,
    db,
    vault,
    sandbox,
    restored,
    close() {
      closing ??= (async () => {
        ready = false;
        vault.beginShutdown(); // from here, writing state waits for the store only so long, then it is spilled
        if (server) {
          const s = server;
          await new Promise<void>((resolve) => {
            s.close(() => resolve());
            (s as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          });
        }
        if (cluster) await cluster.node.leave();
        else await sessions.shutdown();
        await messages.close(); // received messages and receipts still being written (retried on database errors)
        await webhooks.stop(); // after the sessions' last events, before the bus and database close
        await vault.close();
        await store.close();
        await events.close();
        await cluster?.close();
        await db.close();
        monitor.close();
        await sandbox?.close();
      })();
      return closing;
    },
  };
}
