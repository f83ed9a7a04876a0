import { describe, expect, it } from 'vitest';
import { ConnectPacer } from './connect-pacer.js';

describe('connect pacer', () => {
  it('lets one start through at once and spaces the rest by 1/rate', async () => {
    const pacer = new ConnectPacer(100); // 10 ms apart
    const t0 = Date.now();
    const at: number[] = [];
    await Promise.all(Array.from({ length: 6 }, async () => {
      await pacer.turn();
      at.push(Date.now() - t0);
    }));
    at.sort((a, b) => a - b);
    expect(at[0]).toBeLessThan(10);
    expect(at[5]).toBeGreaterThanOrEqual(48);
    for (let i = 1; i < at.length; i++) expect(at[i] - at[i - 1]).toBeGreaterThanOrEqual(7);
  });
});
