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

/** `work`, or a rejection once `clock.now()` reaches `deadline` (the work itself goes on). */
export function beforeDeadline<T>(work: Promise<T>, clock: TimerClock, deadline: number, what: string): Promise<T> {
  const ms = deadline - clock.now();
  if (ms <= 0) {
    work.catch(() => undefined);
    return Promise.reject(new Error(`${what}: the shutdown deadline has passed`));
  }
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(() => reject(new Error(`${what} did not finish before the shutdown deadline`)), ms);
    work.then(
      (v) => {
        clock.clearTimeout(timer);
        resolve(v);
      },
      (err) => {
        clock.clearTimeout(timer);
        reject(err);
      },
    );
  });
}
