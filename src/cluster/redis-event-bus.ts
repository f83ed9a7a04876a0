import { Redis } from 'ioredis';
import type { AnyEvent, EventBus, EventListener } from '../core/events.js';
import { LocalEventBus } from '../core/local-event-bus.js';
import type { Logger } from '../core/logger.js';

interface Envelope {
  origin: string;
  event: AnyEvent;
}

/**
 * The cluster's event bus: every event reaches this node's subscribers at once (origin `local`)
 * and, through one Redis channel, every other node's (origin `remote`). So an SSE client on any
 * node sees every session's events, while webhooks — which listen to `local` only — are queued
 * once, by the node that owns the session.
 */
export class RedisEventBus implements EventBus {
  private readonly local: LocalEventBus;
  private readonly pub: Redis;
  private readonly sub: Redis;

  private constructor(
    url: string,
    private readonly nodeId: string,
    private readonly channel: string,
    private readonly logger: Logger,
  ) {
    this.local = new LocalEventBus(logger);
    const opts = { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true } as const;
    this.pub = new Redis(url, opts);
    this.sub = new Redis(url, opts);
    for (const c of [this.pub, this.sub]) c.on('error', (err) => this.logger.warn({ err: err.message }, 'redis connection error (event fan-out)'));
  }

  static async connect(opts: { url: string; nodeId: string; logger: Logger; channel?: string }): Promise<RedisEventBus> {
    const bus = new RedisEventBus(opts.url, opts.nodeId, opts.channel ?? 'kirim:events', opts.logger);
    await Promise.all([bus.pub.connect(), bus.sub.connect()]);
    bus.sub.on('message', (_channel: string, raw: string) => bus.onMessage(raw));
    await bus.sub.subscribe(bus.channel);
    return bus;
  }

  publish(event: AnyEvent): void {
    this.local.deliver(event, 'local');
    const payload = JSON.stringify({ origin: this.nodeId, event } satisfies Envelope);
    this.pub.publish(this.channel, payload).catch((err) => this.logger.warn({ err: err.message, type: event.type }, 'event fan-out to other nodes failed'));
  }

  subscribe(listener: EventListener): () => void {
    return this.local.subscribe(listener);
  }

  async close(): Promise<void> {
    await this.local.close();
    this.sub.disconnect();
    await this.pub.quit().catch(() => this.pub.disconnect());
  }

  private onMessage(raw: string): void {
    let env: Envelope;
    try {
      env = JSON.parse(raw) as Envelope;
    } catch {
      this.logger.warn('ignoring a malformed message on the event channel');
      return;
    }
    if (env.origin === this.nodeId || !env.event?.type) return;
    this.local.deliver(env.event, 'remote');
  }
}
