import { randomBytes } from 'node:crypto';
import { type Clock, systemClock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { Db } from '../db/index.js';
import { DeliveryOutbox } from './delivery-outbox.js';
import { type AttemptReport, Dispatcher, type DeliveryTargets } from './dispatcher.js';
import { Enqueuer } from './enqueuer.js';
import { createHttpSender } from './http-sender.js';
import { DEFAULT_JITTER, DEFAULT_RETRY_SCHEDULE } from './retry-schedule.js';
import { checkWebhookUrl, type Resolver, systemResolver } from './url-guard.js';
import { WebhookCache } from './webhook-cache.js';
import { type SecretSealer, WebhookRepo } from './webhook-repo.js';
import { WebhookService } from './webhook-service.js';

export interface WebhooksOptions {
  db: Db;
  events: EventBus;
  logger: Logger;
  clock?: Clock;
  /** KIRIM_ALLOW_PRIVATE_URLS: let URLs point at loopback and private networks. */
  allowPrivateUrls: boolean;
  /** This gateway node; claims are recorded as `<nodeId>:<random>`. */
  nodeId: string;
  /** Delays (ms) before each retry; when used up the delivery is failed. Default: > 24 h in total. */
  retrySchedule?: readonly number[];
  /** ± spread of each retry delay (0.2 = 20 %). */
  retryJitter?: number;
  /** Requests in flight at once, per process. */
  concurrency?: number;
  /** How often to look for work queued elsewhere (other nodes, expired claims). */
  pollMs?: number;
  /** How long a claim lasts before another process may take the row over (at least timeoutMs + 5 s). */
  leaseMs?: number;
  /** Per request. */
  timeoutMs?: number;
  /** How long `stop()` waits for requests in flight. */
  stopTimeoutMs?: number;
  /** How often the enabled-webhook cache is reloaded anyway (a safety net for missed announcements). */
  cacheRefreshMs?: number;
  /** Cluster: tells the other nodes at once when the webhook list changed, and hears theirs. */
  changes?: { announce(): void; onChange(listener: () => void): void };
  /** Finished deliveries older than this are deleted (0: kept forever). Default 7 days. */
  retentionMs?: number;
  /** How often the retention sweep runs. Default 1 h. */
  pruneEveryMs?: number;
  /** Encrypts signing secrets at rest. */
  secrets: SecretSealer;
  /** DNS; tests inject one. */
  resolve?: Resolver;
  /** Observes every attempt (metrics, tests). */
  onAttempt?(report: AttemptReport): void;
}

export interface Webhooks {
  service: WebhookService;
  /** Subscribes to the event bus and starts delivering (including rows left from before). */
  start(): void;
  /** Stops taking events (after queueing those received), finishes or hands back deliveries. */
  stop(): Promise<void>;
}

/** Wires webhooks: the CRUD service, the event-bus enqueuer and the outbox dispatcher. */
export function createWebhooks(opts: WebhooksOptions): Webhooks {
  const clock = opts.clock ?? systemClock;
  const { logger } = opts;
  const resolve = opts.resolve ?? systemResolver;
  const repo = new WebhookRepo(opts.db.db, opts.secrets, (webhookId, err) =>
    logger.error({ webhookId, err: (err as Error).message }, 'a webhook secret cannot be opened; its deliveries wait until the key that sealed it is configured'),
  );
  const outbox = new DeliveryOutbox(opts.db.db, opts.db.dialect);
  const cache = new WebhookCache(repo, logger, opts.cacheRefreshMs ?? 5_000);
  // a change made here reaches the other nodes' caches at once, so none of them misses an event
  const reloadAndAnnounce = async () => {
    await cache.reload();
    opts.changes?.announce();
  };
  opts.changes?.onChange(() => void cache.reload().catch((err) => logger.warn({ err }, 'webhook cache reload failed')));
  const concurrency = opts.concurrency ?? 8;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  // A claim must outlive its request, or a slow receiver would see the row twice.
  const leaseMs = Math.max(opts.leaseMs ?? 60_000, timeoutMs + 5_000);
  const sender = createHttpSender({ allowPrivateUrls: opts.allowPrivateUrls, resolve, timeoutMs, maxSockets: concurrency });

  const targets: DeliveryTargets = {
    async find(id) {
      const cached = cache.get(id);
      if (cached) return { ...cached, enabled: true };
      const row = await repo.getById(id);
      return row && { id: row.id, workspaceId: row.workspace_id, url: row.url, secret: row.secret, enabled: Number(row.enabled) === 1 };
    },
    async disable(target, reason) {
      const now = clock.now();
      await repo.update(target.workspaceId, target.id, { enabled: 0, disabled_reason: reason, updated_at: now }, now);
      await reloadAndAnnounce();
      logger.warn({ webhookId: target.id, url: target.url }, 'webhook disabled: its endpoint answered 410 Gone');
    },
  };

  const dispatcher = new Dispatcher({
    outbox,
    targets,
    sender,
    clock,
    logger,
    owner: `${opts.nodeId}:${randomBytes(4).toString('hex')}`,
    concurrency,
    pollMs: opts.pollMs ?? 1_000,
    leaseMs,
    stopTimeoutMs: opts.stopTimeoutMs ?? 10_000,
    retry: { schedule: opts.retrySchedule ?? DEFAULT_RETRY_SCHEDULE, jitter: opts.retryJitter ?? DEFAULT_JITTER },
    onAttempt: opts.onAttempt,
  });
  const wake = () => dispatcher.wake();
  const enqueuer = new Enqueuer({ events: opts.events, cache, outbox, clock, logger, onEnqueued: wake });
  const service = new WebhookService({
    repo,
    outbox,
    cache: { reload: reloadAndAnnounce },
    clock,
    wake,
    checkUrl: (url) => checkWebhookUrl(url, { allowPrivateUrls: opts.allowPrivateUrls, resolve }),
  });

  const retentionMs = opts.retentionMs ?? 7 * 86_400_000;
  let pruneTimer: ReturnType<typeof setInterval> | undefined;
  let pruning: Promise<void> | undefined;
  const PRUNE_BATCH = 1000;
  const prune = async () => {
    const before = clock.now() - retentionMs;
    let total = 0;
    for (;;) {
      const n = await outbox.pruneFinished(before, PRUNE_BATCH);
      total += n;
      if (n < PRUNE_BATCH || !pruneTimer) break;
    }
    if (total > 0) logger.info({ deleted: total, olderThan: new Date(before).toISOString() }, 'deleted finished webhook deliveries past retention');
  };
  const sweep = () => {
    pruning ??= prune()
      .catch((err) => logger.warn({ err }, 'deleting old webhook deliveries failed; trying again later'))
      .finally(() => (pruning = undefined));
  };

  return {
    service,
    start() {
      if (retentionMs > 0) {
        pruneTimer = setInterval(sweep, opts.pruneEveryMs ?? 3_600_000);
        pruneTimer.unref();
        sweep();
      }
      repo
        .resealStale()
        .then((n) => n > 0 && logger.info({ resealed: n }, 'webhook secrets sealed under the current state key'))
        .catch((err) => logger.error({ err }, 'could not seal webhook secrets under the current state key'));
      cache.ready().catch((err) => logger.warn({ err }, 'loading webhooks failed; retrying on the next event'));
      cache.start();
      enqueuer.start();
      dispatcher.start();
    },
    async stop() {
      clearInterval(pruneTimer);
      pruneTimer = undefined;
      await pruning;
      await enqueuer.stop();
      await dispatcher.stop();
      cache.stop();
      sender.close();
    },
  };
}
