import { setTimeout as sleep } from 'node:timers/promises';
import type { AdminClient } from '../../sim/testing/admin-client.js';
import type { ApiClient } from '../../test/support/api-client.js';
import type { GatewayEvents } from './gateway-events.js';

/** Runs `work(item)` for every item with at most `concurrency` at once (an unpaced client). */
export async function forEachLimit<T>(items: T[], concurrency: number, work: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i], i);
      }
    }),
  );
}

/** Polls `cond` every 50 ms until it holds; throws with `what()` after `timeoutMs`. */
export async function waitUntil(cond: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what()}`);
    await sleep(50);
  }
}

export interface Outbound {
  sessionId: string;
  to: string;
  text: string;
}

export interface SentMessage {
  id: string;
  /** `performance.now()` before the POST, and when its 202 arrived. */
  postedAt: number;
  acceptedAt: number;
}

/**
 * Follows `message.status` and `message.received` on the gateway's SSE stream: when each status
 * of each message first arrived, and when each received text arrived (keyed by its text, which
 * the benchmarks make unique).
 */
export class MessageTracker {
  readonly statusAt = new Map<string, Map<string, number>>();
  readonly receivedAt = new Map<string, number>();
  private readonly off: () => void;

  constructor(events: GatewayEvents) {
    this.off = events.on((e, at) => {
      if (e.event === 'message.status') {
        const { messageId, status } = e.data.data as { messageId: string; status: string };
        let m = this.statusAt.get(messageId);
        if (!m) this.statusAt.set(messageId, (m = new Map()));
        if (!m.has(status)) m.set(status, at);
      } else if (e.event === 'message.received') {
        const text = e.data.data.text as string;
        if (!this.receivedAt.has(text)) this.receivedAt.set(text, at);
      }
    });
  }

  /** When message `id` reached `status` (or a later one: a `delivered` implies it was `sent`). */
  reached(id: string, status: 'sent' | 'delivered'): number | undefined {
    const m = this.statusAt.get(id);
    if (!m) return undefined;
    const order = ['sent', 'delivered', 'read'];
    const times = order.slice(order.indexOf(status)).map((s) => m.get(s)).filter((t): t is number => t !== undefined);
    return times.length ? Math.min(...times) : undefined;
  }

  failed(ids: string[]): string[] {
    return ids.filter((id) => this.statusAt.get(id)?.has('failed'));
  }

  close(): void {
    this.off();
  }
}

/** POSTs every message (`concurrency` requests in flight, no pacing); throws on any non-202. */
export async function sendAll(api: ApiClient, items: Outbound[], concurrency: number): Promise<SentMessage[]> {
  const out: SentMessage[] = new Array(items.length);
  await forEachLimit(items, concurrency, async (m, i) => {
    const postedAt = performance.now();
    const r = await api.post(`/v1/sessions/${m.sessionId}/messages`, { to: m.to, text: m.text });
    if (r.status !== 202) throw new Error(`POST messages answered ${r.status}: ${JSON.stringify(r.body)}`);
    out[i] = { id: r.body.id, postedAt, acceptedAt: performance.now() };
  });
  return out;
}

export interface Inbound {
  contact: string;
  /** The account's phone number. */
  to: string;
  text: string;
}

/** Contacts send through the simulator's admin API; returns `performance.now()` before each request. */
export async function receiveAll(admin: AdminClient, items: Inbound[], concurrency: number): Promise<number[]> {
  const sentAt: number[] = new Array(items.length);
  await forEachLimit(items, concurrency, async (m, i) => {
    sentAt[i] = performance.now();
    await admin.contactSend(m.contact, m.to, m.text);
  });
  return sentAt;
}
