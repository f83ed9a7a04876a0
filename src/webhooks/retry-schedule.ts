const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Delays before each retry. The first retry comes within seconds; the sum (31.7 h, 25.4 h even
 * with all jitter negative) keeps an event alive well past 24 hours before it is marked failed.
 */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = [
  5 * SECOND,
  30 * SECOND,
  2 * MINUTE,
  10 * MINUTE,
  30 * MINUTE,
  1 * HOUR,
  2 * HOUR,
  4 * HOUR,
  8 * HOUR,
  8 * HOUR,
  8 * HOUR,
];

export const DEFAULT_JITTER = 0.2;

/**
 * The wait after the `attempts`-th failed attempt (1-based), with ±`jitter` spread so that a
 * burst of failures does not retry in lockstep; null when the schedule is used up.
 */
export function retryDelay(
  attempts: number,
  schedule: readonly number[] = DEFAULT_RETRY_SCHEDULE,
  jitter = DEFAULT_JITTER,
  random: () => number = Math.random,
): number | null {
  const base = schedule[attempts - 1];
  if (base === undefined) return null;
  return Math.max(0, Math.round(base * (1 + (random() * 2 - 1) * jitter)));
}
