/**
 * Exponential backoff with full jitter (AWS "full jitter"): the n-th retry waits a random time in
 * [0, min(cap, base·2^n)], never less than `min`. Sessions retry forever — a gateway never gives
 * up on a number — but at most every `capMs`.
 */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  minMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, capMs: 60_000, minMs: 250 };

export function backoffDelay(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** Math.min(attempt, 30));
  return Math.max(opts.minMs, Math.floor(random() * ceiling));
}
