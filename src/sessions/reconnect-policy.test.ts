import { describe, expect, it } from 'vitest';
import { backoffDelay } from './reconnect-policy.js';

describe('reconnect backoff', () => {
  const opts = { baseMs: 1000, capMs: 60_000, minMs: 250 };
  it('grows exponentially up to the cap (upper bound with random = 1)', () => {
    const upper = [0, 1, 2, 3, 4, 5, 6, 7, 10, 50].map((n) => backoffDelay(n, opts, () => 0.999999));
    expect(upper).toEqual([999, 1999, 3999, 7999, 15999, 31999, 59999, 59999, 59999, 59999]);
  });
  it('is jittered over the whole window but never below the minimum', () => {
    expect(backoffDelay(3, opts, () => 0)).toBe(250);
    expect(backoffDelay(3, opts, () => 0.5)).toBe(4000);
    const seen = new Set(Array.from({ length: 200 }, () => backoffDelay(5, opts)));
    expect(seen.size).toBeGreaterThan(150);
    for (const d of seen) {
      expect(d).toBeGreaterThanOrEqual(250);
      expect(d).toBeLessThan(32_000);
    }
  });
});
