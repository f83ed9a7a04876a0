/**
 * A loop's doorbell: `sleep(ms)` returns after `ms` or as soon as `wake()` is called — also
 * when the wake came while the loop was busy, so none is lost. `wakeAt(delay)` rings it later
 * (only the earliest such timer is kept). Timers never keep the process alive.
 */
export class WakeSignal {
  private rung = false;
  private resolveSleeper: (() => void) | null = null;
  private later: { at: number; timer: ReturnType<typeof setTimeout> } | null = null;

  wake(): void {
    this.rung = true;
    this.resolveSleeper?.();
  }

  sleep(ms: number): Promise<void> {
    if (this.rung) {
      this.rung = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.resolveSleeper = null;
        this.rung = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.resolveSleeper = done;
    });
  }

  wakeAt(delayMs: number): void {
    const at = Date.now() + Math.max(0, delayMs);
    if (this.later && this.later.at <= at) return;
    if (this.later) clearTimeout(this.later.timer);
    const timer = setTimeout(() => {
      this.later = null;
      this.wake();
    }, Math.max(0, delayMs));
    timer.unref();
    this.later = { at, timer };
  }

  clear(): void {
    if (this.later) clearTimeout(this.later.timer);
    this.later = null;
  }
}
