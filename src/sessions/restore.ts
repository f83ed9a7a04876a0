import type { Logger } from '../core/logger.js';

export interface RestoreOptions {
  /** Sessions connecting at once. */
  concurrency?: number;
  /** At most this many connection starts per second (no reconnect storm after a restart). */
  ratePerSecond?: number;
}

export interface RestoreProgress {
  total: number;
  /** Connections begun. */
  started: number;
  /** Sessions that reached `open` (or another settled status) within their connect window. */
  open: number;
  failed: number;
  elapsedMs: number;
  done: boolean;
}

/** What starting one item achieved. */
export type RestoreOutcome = 'open' | 'other';

/**
 * Runs `start(item)` for every item with bounded concurrency and a paced start rate, logging
 * progress about once a second. `start` resolves when the item's connection has settled (open,
 * or given up for now), so `concurrency` bounds the handshakes in flight — no reconnect storm
 * after a restart. A failing item is counted and logged; the others go on.
 */
export async function restoreAll<T>(
  items: T[],
  start: (item: T) => Promise<RestoreOutcome>,
  opts: RestoreOptions,
  logger: Logger,
  onProgress?: (p: RestoreProgress) => void,
): Promise<RestoreProgress> {
  const concurrency = Math.max(1, opts.concurrency ?? 16);
  const interval = 1000 / Math.max(1, opts.ratePerSecond ?? 200);
  const t0 = Date.now();
  const progress: RestoreProgress = { total: items.length, started: 0, open: 0, failed: 0, elapsedMs: 0, done: false };
  if (items.length === 0) {
    progress.done = true;
    onProgress?.({ ...progress });
    return progress;
  }
  logger.info({ total: items.length, concurrency, ratePerSecond: opts.ratePerSecond }, 'restoring sessions');
  let next = 0;
  let lastReport = 0;
  let nextSlot = t0;
  const report = (force = false) => {
    progress.elapsedMs = Date.now() - t0;
    if (force || progress.elapsedMs - lastReport >= 1000) {
      lastReport = progress.elapsedMs;
      logger.info({ ...progress }, 'restore progress');
      onProgress?.({ ...progress });
    }
  };
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      const now = Date.now();
      const wait = nextSlot - now;
      nextSlot = Math.max(now, nextSlot) + interval;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      try {
        progress.started++;
        if ((await start(item)) === 'open') progress.open++;
      } catch (err) {
        progress.failed++;
        logger.error({ err }, 'restoring a session failed');
      }
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  progress.done = true;
  report(true);
  return progress;
}
