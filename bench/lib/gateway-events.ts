import { openSse, type SseClient, type SseEvent } from '../../test/support/sse.js';

export interface SessionSeen {
  qr?: string;
  status?: string;
  reason?: string | null;
}

/**
 * The gateway's SSE stream for benchmarks that follow thousands of sessions and messages: it keeps
 * only each session's latest QR and status (not every event, as the test client does), wakes
 * per-session waiters, and hands every event to listeners as it arrives (with its arrival time).
 */
export class GatewayEvents {
  readonly ready: Promise<void>;
  private readonly sse: SseClient;
  private readonly seen = new Map<string, SessionSeen>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly listeners = new Set<(e: SseEvent, at: number) => void>();

  constructor(url: string, key: string) {
    this.sse = openSse(`${url}/v1/events`, { authorization: `Bearer ${key}` });
    this.ready = this.sse.ready;
    // A waiter that never matches sees every event as it is pushed; the client's own event list is
    // emptied each time so that it does not grow with the run (nothing here searches it).
    void this.sse
      .waitFor((e) => {
        this.sse.events.length = 0;
        this.dispatch(e);
        return false;
      }, 2 ** 31 - 1, 'tap')
      .catch(() => undefined);
  }

  /** Every event from now on, with `performance.now()` at arrival; returns an unsubscribe. */
  on(fn: (e: SseEvent, at: number) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  session(id: string): SessionSeen {
    return this.seen.get(id) ?? {};
  }

  /** Resolves once the session's latest QR/status satisfies `cond` (checked at once, then per event). */
  waitSession(id: string, cond: (s: SessionSeen) => boolean, timeoutMs: number, what: string): Promise<SessionSeen> {
    const now = this.session(id);
    if (cond(now)) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      let set = this.waiters.get(id);
      if (!set) this.waiters.set(id, (set = new Set()));
      const check = () => {
        const s = this.session(id);
        if (!cond(s)) return;
        clearTimeout(timer);
        set!.delete(check);
        resolve(s);
      };
      const timer = setTimeout(() => {
        set!.delete(check);
        reject(new Error(`session ${id}: timed out after ${timeoutMs} ms waiting for ${what}; last seen ${JSON.stringify(this.session(id))}`));
      }, timeoutMs);
      set.add(check);
    });
  }

  /** Forgets a session's state (after deleting it). */
  forget(id: string): void {
    this.seen.delete(id);
    this.waiters.delete(id);
  }

  close(): void {
    this.sse.close();
  }

  private dispatch(e: SseEvent): void {
    const at = performance.now();
    const id: string | undefined = e.data?.sessionId;
    if (id && (e.event === 'session.qr' || e.event === 'session.status')) {
      const s = this.seen.get(id) ?? {};
      if (e.event === 'session.qr') s.qr = e.data.data.qr;
      else {
        s.status = e.data.data.status;
        s.reason = e.data.data.reason;
      }
      this.seen.set(id, s);
      for (const w of [...(this.waiters.get(id) ?? [])]) w();
    }
    for (const fn of this.listeners) fn(e, at);
  }
}
