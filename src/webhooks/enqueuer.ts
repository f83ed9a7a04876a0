import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../core/clock.js';
import type { AnyEvent, EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { DeliveryOutbox } from './delivery-outbox.js';
import { newDeliveryRow } from './delivery-outbox.js';
import { eventPayload } from './event-payload.js';
import type { WebhookCache } from './webhook-cache.js';

export interface EnqueuerDeps {
  events: EventBus;
  cache: Pick<WebhookCache, 'ready' | 'matching'>;
  outbox: Pick<DeliveryOutbox, 'enqueue'>;
  clock: Clock;
  logger: Logger;
  /** Called after rows were queued (wakes the dispatcher). */
  onEnqueued(): void;
  /** Waits between tries when the database refuses the insert. */
  retryDelaysMs?: readonly number[];
}

const DEFAULT_RETRY_DELAYS = [100, 500, 2_000, 5_000, 10_000, 30_000];

/**
 * Turns this node's events into outbox rows: one per enabled webhook of the event's workspace
 * whose filter matches, in one statement. Events fanned out from other nodes (`remote`) are
 * left to the node that produced them, so each event is queued exactly once in a cluster.
 */
export class Enqueuer {
  private readonly inflight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly deps: EnqueuerDeps) {}

  start(): void {
    this.unsubscribe ??= this.deps.events.subscribe((event, origin) => {
      if (origin !== 'local') return;
      const p = this.enqueue(event).finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    });
  }

  /** Stops listening and waits for the events already received to be queued. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.stopping.abort();
    await Promise.allSettled([...this.inflight]);
  }

  private async enqueue(event: AnyEvent): Promise<void> {
    const { cache, outbox, clock, logger } = this.deps;
    const delays = this.deps.retryDelaysMs ?? DEFAULT_RETRY_DELAYS;
    for (let attempt = 0; ; attempt++) {
      const lastTry = this.stopping.signal.aborted; // once stopping, one more try and no waiting
      try {
        await cache.ready();
        const hooks = cache.matching(event.workspaceId, event.type);
        if (hooks.length === 0) return;
        const now = clock.now();
        const payload = eventPayload(event);
        await outbox.enqueue(hooks.map((h) => newDeliveryRow(h, payload, now)));
        this.deps.onEnqueued();
        return;
      } catch (err) {
        const delay = delays[attempt];
        if (delay === undefined || lastTry) {
          logger.error({ err, eventId: event.id, type: event.type }, 'could not queue webhook deliveries for this event');
          return;
        }
        logger.warn({ err, eventId: event.id, retryInMs: delay }, 'queueing webhook deliveries failed; retrying');
        await sleep(delay, undefined, { signal: this.stopping.signal }).catch(() => {});
      }
    }
  }
}
