/**
 * A per-session ordered work queue with a bound. Items run one at a time, in order; `run`
 * decides what happens to an item (done, or keep it for later when the session is down).
 */
export type RunResult = 'done' | 'retry_later';

export interface SendQueueOptions<T> {
  limit: number;
  run(item: T): Promise<RunResult>;
  /** `run` threw (a database error, say): the item stays first and the queue pauses until resumed. */
  onError(item: T, err: unknown): void;
}

export class SendQueue<T> {
  private readonly items: T[] = [];
  private reserved = 0;
  private running = false;
  private paused = false;
  /** Bumped by drain(): an item that was running then no longer decides what the queue does. */
  private generation = 0;

  constructor(private readonly opts: SendQueueOptions<T>) {}

  get size(): number {
    return this.items.length;
  }

  get full(): boolean {
    return this.items.length + this.reserved >= this.opts.limit;
  }

  /**
   * Holds a place for an item that is about to be stored; false when the queue is full (the
   * caller answers 429 and stores nothing). Follow with `push(item, true)` or `release()`.
   */
  reserve(): boolean {
    if (this.full) return false;
    this.reserved++;
    return true;
  }

  /** Gives back a place held by `reserve()` (the item was not stored after all). */
  release(): void {
    if (this.reserved > 0) this.reserved--;
  }

  /**
   * Queues an item: in the place `reserve()` held, or — for items accepted earlier and queued
   * again after a reconnect — past the bound if need be (they are stored; they must go out).
   */
  push(item: T, reserved = false): void {
    if (reserved) this.release();
    this.items.push(item);
    this.kick();
  }

  /** Stop taking items (the session went down); queued ones stay, in order. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.kick();
  }

  drain(): T[] {
    this.generation++;
    return this.items.splice(0, this.items.length);
  }

  private kick(): void {
    if (this.running || this.paused || !this.items.length) return;
    this.running = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    try {
      while (!this.paused && this.items.length) {
        const item = this.items[0];
        const generation = this.generation;
        let result: RunResult = 'done';
        let failure: { err: unknown } | undefined;
        try {
          result = await this.opts.run(item);
        } catch (err) {
          result = 'retry_later';
          failure = { err };
        }
        const stale = generation !== this.generation; // drained (and maybe re-queued) meanwhile
        if (!stale && result === 'retry_later') this.paused = true;
        if (failure) this.opts.onError(item, failure.err);
        if (stale) continue;
        if (result === 'retry_later') break;
        this.items.shift();
      }
    } finally {
      this.running = false;
    }
  }
}
