export interface RetryOptions {
  /** First retry delay (before jitter). */
  baseMs?: number;
  /** Cap of the delay. */
  maxMs?: number;
  /** Source of jitter in [0, 1). */
  random?: () => number;
}

export const DEFAULT_RETRY = { baseMs: 1_000, maxMs: 30_000 } as const;

/**
 * Exponential backoff with "equal jitter": attempt n waits between half and all of
 * min(max, base·2^(n−1)), so retries of many sessions after an outage spread out.
 */
export function retryDelay(attempt: number, opts: RetryOptions = {}): number {
  const base = opts.baseMs ?? DEFAULT_RETRY.baseMs;
  const max = opts.maxMs ?? DEFAULT_RETRY.maxMs;
  const ceiling = Math.min(max, base * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  const r = (opts.random ?? Math.random)();
  return Math.round(ceiling / 2 + (ceiling / 2) * r);
}
