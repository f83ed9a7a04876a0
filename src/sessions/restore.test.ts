import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import { restoreAll, type RestoreProgress } from './restore.js';

describe('restoreAll', () => {
  it('never runs more than `concurrency` starts at once, paces them, and counts outcomes', async () => {
    let running = 0;
    let peak = 0;
    const startedAt: number[] = [];
    const progress: RestoreProgress[] = [];
    const items = Array.from({ length: 40 }, (_, i) => i);
    const t0 = Date.now();
    const result = await restoreAll(
      items,
      async (i) => {
        startedAt.push(Date.now() - t0);
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 25));
        running--;
        if (i === 7) throw new Error('boom');
        return i % 2 === 0 ? 'open' : 'other';
      },
      { concurrency: 4, ratePerSecond: 400 },
      silentLogger,
      (p) => progress.push(p),
    );
    expect(peak).toBe(4);
    expect(result).toMatchObject({ total: 40, started: 40, open: 20, failed: 1, done: true });
    // 400/s pacing: the 40th start is not before ~97 ms
    expect(Math.max(...startedAt)).toBeGreaterThanOrEqual(90);
    expect(progress.at(-1)).toMatchObject({ done: true, open: 20 });
  });

  it('reports done at once when there is nothing to restore', async () => {
    const seen: RestoreProgress[] = [];
    const r = await restoreAll([], async () => 'open', {}, silentLogger, (p) => seen.push(p));
    expect(r.done).toBe(true);
    expect(seen).toEqual([r]);
  });
});
