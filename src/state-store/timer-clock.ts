import type { Clock } from '../core/clock.js';

/** A clock that can also schedule: the vault's timers, faked in tests. */
export interface TimerClock extends Clock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimerClock: TimerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** A plain Clock gets the system's timers; a TimerClock (tests) is used as it is. */
export function asTimerClock(clock: Clock | undefined): TimerClock {
  if (!clock) return systemTimerClock;
  const c = clock as Partial<TimerClock>;
  if (typeof c.setTimeout === 'function' && typeof c.clearTimeout === 'function') return clock as TimerClock;
  return { now: () => clock.now(), setTimeout: systemTimerClock.setTimeout, clearTimeout: systemTimerClock.clearTimeout };
}
