import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_SCHEDULE, retryDelay } from './retry-schedule.js';
import { judgeAttempt } from './attempt-outcome.js';

const HOUR = 3_600_000;
const lowest = () => 0; // jitter all the way down
const highest = () => 0.999999;

describe('retry schedule', () => {
  it('retries the first failure within 10 seconds, even with full jitter', () => {
    expect(retryDelay(1, DEFAULT_RETRY_SCHEDULE, 0.2, highest)).toBeLessThanOrEqual(10_000);
    expect(retryDelay(1, DEFAULT_RETRY_SCHEDULE, 0.2, lowest)).toBeGreaterThanOrEqual(4_000);
  });

  it('keeps retrying for more than 24 hours before giving up, even with all jitter negative', () => {
    let total = 0;
    let attempts = 1;
    for (let d = retryDelay(attempts, DEFAULT_RETRY_SCHEDULE, 0.2, lowest); d !== null; d = retryDelay(++attempts, DEFAULT_RETRY_SCHEDULE, 0.2, lowest)) total += d;
    expect(total).toBeGreaterThan(24 * HOUR);
    expect(attempts).toBe(DEFAULT_RETRY_SCHEDULE.length + 1);
  });

  it('grows and spreads delays by at most ±20 %', () => {
    for (let i = 1; i < DEFAULT_RETRY_SCHEDULE.length; i++) expect(DEFAULT_RETRY_SCHEDULE[i]).toBeGreaterThanOrEqual(DEFAULT_RETRY_SCHEDULE[i - 1]);
    const seen = Array.from({ length: 200 }, () => retryDelay(3)!);
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(120_000 * 0.8);
    expect(Math.max(...seen)).toBeLessThanOrEqual(120_000 * 1.2);
    expect(new Set(seen).size).toBeGreaterThan(50);
  });

  it('judges answers: 2xx delivered, 410 gone, others retried until the schedule ends', () => {
    const policy = { schedule: [1000], jitter: 0 };
    expect(judgeAttempt({ status: 204, body: '' }, 1, 0, policy)).toEqual({ kind: 'delivered', statusCode: 204 });
    expect(judgeAttempt({ status: 410, body: '' }, 1, 0, policy)).toMatchObject({ kind: 'gone', statusCode: 410 });
    expect(judgeAttempt({ status: 301, body: '' }, 1, 0, policy)).toMatchObject({ kind: 'retry', nextAttemptAt: 1000, error: expect.stringMatching(/redirects are not followed/) });
    expect(judgeAttempt({ error: 'connection refused' }, 1, 5, policy)).toEqual({ kind: 'retry', statusCode: null, error: 'connection refused', nextAttemptAt: 1005 });
    expect(judgeAttempt({ status: 500, body: 'boom' }, 2, 0, policy)).toEqual({ kind: 'failed', statusCode: 500, error: 'HTTP 500: boom (gave up after 2 attempts)' });
  });
});
