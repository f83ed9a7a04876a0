import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { type AttemptOutcome, judgeAttempt, outcomePatch, type RetryPolicy } from './attempt-outcome.js';
import type { DeliveryOutbox } from './delivery-outbox.js';
import type { Sender } from './http-sender.js';
import { webhookHeaders } from './signature.js';
import { WakeSignal } from './wake-signal.js';
import type { DeliveryRow } from './webhook-views.js';

/** The webhook a claimed delivery goes to, as the dispatcher needs it. */
export interface DeliveryTarget {
  id: string;
  workspaceId: string;
  url: string;
  secret: string;
  enabled: boolean;
}

export interface DeliveryTargets {
  /** Undefined when the webhook was deleted. */
  find(webhookId: string): Promise<DeliveryTarget | undefined>;
  disable(target: DeliveryTarget, reason: string): Promise<void>;
}

export interface AttemptReport {
  deliveryId: string;
  webhookId: string;
  eventId: string;
  attempt: number;
  outcome: AttemptOutcome;
}

export interface DispatcherOptions {
  outbox: Pick<DeliveryOutbox, 'claim' | 'reapExpired' | 'settle' | 'releaseAll' | 'remove'>;
  targets: DeliveryTargets;
  sender: Sender;
  clock: Clock;
  logger: Logger;
  /** Unique per dispatcher instance: the claim owner. */
  owner: string;
  concurrency: number;
  pollMs: number;
  leaseMs: number;
  stopTimeoutMs: number;
  retry: RetryPolicy;
  onAttempt?(report: AttemptReport): void;
}

/**
 * Delivers the outbox: claims due rows (at most `concurrency` in flight), POSTs them signed,
 * and records each outcome. Wakes at once when told rows were queued or a slot frees up, at
 * the earliest retry it scheduled itself, and otherwise polls every `pollMs` for work queued
 * by other processes or left behind by a crashed one.
 */
export class Dispatcher {
  private readonly inflight = new Set<Promise<void>>();
  private readonly signal = new WakeSignal();
  private readonly abort = new AbortController();
  private running = false;
  private abandoned = false;
  private lastReap = 0;
  private loopDone: Promise<void> = Promise.resolve();

  constructor(private readonly o: DispatcherOptions) {
    setMaxListeners(o.concurrency + 10, this.abort.signal); // one listener per request in flight
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  wake(): void {
    this.signal.wake();
  }

  /** Stops claiming, waits up to `stopTimeoutMs` for requests in flight, then gives back what is left. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.signal.wake();
    await this.loopDone;
    const settled = Promise.allSettled([...this.inflight]);
    const bound = new AbortController();
    const timedOut = await Promise.race([
      settled.then(() => false),
      sleep(this.o.stopTimeoutMs, true, { signal: bound.signal }).catch(() => false),
    ]);
    bound.abort();
    if (timedOut) {
      this.abandoned = true;
      this.abort.abort();
      await settled;
    }
    this.signal.clear();
    const released = await this.o.outbox.releaseAll(this.o.owner, this.o.clock.now()).catch((err) => {
      this.o.logger.warn({ err }, 'could not release webhook claims; they expire on their own');
      return 0;
    });
    if (released) this.o.logger.info({ released }, 'released unfinished webhook deliveries for other processes');
  }

  private async loop(): Promise<void> {
    while (this.running) {
      await this.reapExpiredClaims();
      const free = this.o.concurrency - this.inflight.size;
      if (free > 0) {
        let rows: DeliveryRow[] = [];
        try {
          rows = await this.o.outbox.claim({ owner: this.o.owner, now: this.o.clock.now(), leaseMs: this.o.leaseMs, limit: free });
        } catch (err) {
          this.o.logger.warn({ err }, 'claiming webhook deliveries failed; retrying');
        }
        for (const row of rows) this.track(row);
        if (rows.length === free) continue; // there may be more due: claim again when a slot frees
      }
      await this.signal.sleep(this.o.pollMs);
    }
  }

  /** At most once per poll interval: rows whose holder died become pending again. */
  private async reapExpiredClaims(): Promise<void> {
    const now = this.o.clock.now();
    if (now - this.lastReap < this.o.pollMs) return;
    this.lastReap = now;
    try {
      const reaped = await this.o.outbox.reapExpired(now);
      if (reaped) this.o.logger.warn({ reaped }, 'took over webhook deliveries whose claim expired (a process died or hung)');
    } catch (err) {
      this.o.logger.warn({ err }, 'reaping expired webhook claims failed; retrying');
    }
  }

  private track(row: DeliveryRow): void {
    const p = this.deliver(row)
      .catch((err) => this.o.logger.error({ err, deliveryId: row.id }, 'webhook delivery bookkeeping failed; the claim will expire and it is retried'))
      .finally(() => {
        this.inflight.delete(p);
        this.signal.wake();
      });
    this.inflight.add(p);
  }

  private async deliver(row: DeliveryRow): Promise<void> {
    const { outbox, clock, owner } = this.o;
    const target = await this.o.targets.find(row.webhook_id);
    if (!target) return outbox.remove(row.id);
    if (!target.enabled) {
      // Parked until the webhook is enabled again; the attempt was not made, so it does not count.
      await outbox.settle(row.id, owner, clock.now(), { status: 'pending', next_attempt_at: null, attempts: Math.max(0, row.attempts - 1) });
      return;
    }
    const headers = webhookHeaders(target.secret, row.event_id, clock.now(), row.payload);
    const result = await this.o.sender.send({ url: target.url, headers, body: row.payload, signal: this.abort.signal });
    if (this.abandoned) return; // stop() gives the claim back
    const now = clock.now();
    const outcome = judgeAttempt(result, row.attempts, now, this.o.retry);
    await outbox.settle(row.id, owner, now, outcomePatch(outcome, now));
    if (outcome.kind === 'gone') await this.o.targets.disable(target, `the endpoint answered 410 Gone at ${new Date(now).toISOString()}`);
    if (outcome.kind === 'retry') this.signal.wakeAt(outcome.nextAttemptAt - now);
    this.o.onAttempt?.({ deliveryId: row.id, webhookId: row.webhook_id, eventId: row.event_id, attempt: row.attempts, outcome });
  }
}
