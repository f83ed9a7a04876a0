/** Time source; tests pass a fake one to drive timers deterministically. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export const isoNow = (clock: Clock = systemClock) => new Date(clock.now()).toISOString();
