/**
 * A per-session ordered work queue with a bound. Items run one at a time, in order; `run`
 * decides what happens to an item (done, or keep it for later when the session is down).
 */
export type RunResult = 'done' | 'retry_later';

export interface SendQueueOptions<T> {
  limit: number;
  run(item: T): Promise<RunResult>;
  onError(item: T, err: unknown): void;
}

export class SendQueue<T> {
  private readonly items: T[] = [];
  private running = false;
  private paused = false;

  constructor(private readonly opts: SendQueueOptions<T>) {}

  get size(): number {
    return this.items.length;
  }

  get full(): boolean {
    return this.items.length >= this.opts.limit;
  }

  /** false when the queue is full (the caller answers 429). */
  push(item: T): boolean {
    if (this.full) return false;
    this.items.push(item);
    this.kick();
    return true;
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
        let result: RunResult = 'done';
        try {
          result = await this.opts.run(item);
        } catch (err) {
          this.opts.onError(item, err);
        }
        if (result === 'retry_later') {
          this.paused = true;
          break;
        }
        this.items.shift();
      }
    } finally {
      this.running = false;
    }
  }
}
