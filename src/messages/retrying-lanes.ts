import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../core/logger.js';

export interface RetryingLanesOptions {
  logger: Logger;
  /** Waits between tries; once they are used up the work is given up (and logged as lost). */
  delaysMs?: readonly number[];
  /** How long close() keeps retrying work that still fails before one last try. */
  closeBudgetMs?: number;
}

// about six minutes of database trouble before an inbound message is given up
const DEFAULT_DELAYS = [100, 500, 2_000, 5_000, 10_000, 30_000, 60_000, 60_000, 60_000, 60_000, 60_000, 60_000];
const CLOSING_DELAY_MS = 100;

/**
 * Work that must survive a passing database error: WhatsApp has already acked the message or
 * receipt, so a failed write is retried with growing waits instead of being dropped. Work under
 * one key (a session) runs one item at a time, in arrival order. close() waits for all of it,
 * retrying briskly for a bounded time.
 */
export class RetryingLanes {
  private readonly tails = new Map<string, Promise<void>>();
  /** Aborted by close(): waits in progress end at once. */
  private readonly wake = new AbortController();
  /** Aborted when the close budget is spent: every item gets one last try. */
  private readonly deadline = new AbortController();
  private closing?: Promise<void>;

  constructor(private readonly opts: RetryingLanesOptions) {}

  /**
   * Runs `work` after the key's earlier work; resolves (never rejects) once it is done or given up.
   * `what` and `context` name it in the log lines of failed tries.
   */
  run(key: string, what: string, work: () => Promise<void>, context: Record<string, unknown> = {}): Promise<void> {
    const next = (this.tails.get(key) ?? Promise.resolve()).then(() => this.attempt(what, work, context));
    this.tails.set(key, next);
    void next.then(() => {
      if (this.tails.get(key) === next) this.tails.delete(key);
    });
    return next;
  }

  /** Resolves once the work queued under `key` so far has finished. */
  async idle(key: string): Promise<void> {
    await this.tails.get(key);
  }

  /** Waits for all work: failing work is retried every 100 ms for `closeBudgetMs`, then tried once more. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.wake.abort();
      const timer = setTimeout(() => this.deadline.abort(), this.opts.closeBudgetMs ?? 5_000);
      try {
        while (this.tails.size) await Promise.all(this.tails.values());
      } finally {
        clearTimeout(timer);
      }
    })();
    return this.closing;
  }

  private async attempt(what: string, work: () => Promise<void>, context: Record<string, unknown>): Promise<void> {
    const delays = this.opts.delaysMs ?? DEFAULT_DELAYS;
    for (let attempt = 0; ; attempt++) {
      const lastTry = this.deadline.signal.aborted;
      try {
        await work();
        return;
      } catch (err) {
        const closing = this.wake.signal.aborted;
        const delay = closing ? CLOSING_DELAY_MS : delays[attempt];
        if (delay === undefined || lastTry) {
          this.opts.logger.error({ err, ...context, attempts: attempt + 1 }, `${what} failed; given up`);
          return;
        }
        this.opts.logger.warn({ err, ...context, attempt: attempt + 1, retryInMs: delay }, `${what} failed; retrying`);
        await sleep(delay, undefined, { signal: closing ? this.deadline.signal : this.wake.signal }).catch(() => undefined);
      }
    }
  }
}
