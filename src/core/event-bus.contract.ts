import { describe, expect, it } from 'vitest';
import { type AnyEvent, type EventBus, type EventOrigin, makeEvent } from './events.js';

export interface EventBusContractOptions {
  name: string;
  /** Two buses of one system (two nodes; for a single-process bus, the same bus twice). */
  create(): Promise<{ a: EventBus; b: EventBus; shared: boolean; cleanup(): Promise<void> }>;
}

const received = (bus: EventBus) => {
  const got: Array<{ e: AnyEvent; origin: EventOrigin }> = [];
  const waiters: Array<() => void> = [];
  bus.subscribe((e, origin) => {
    got.push({ e, origin });
    for (const w of waiters.splice(0)) w();
  });
  return {
    got,
    async until(n: number) {
      const deadline = Date.now() + 5_000;
      while (got.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} events, got ${got.length}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
    },
  };
};

/** One suite for every event bus: local delivery, origin, fan-out, isolation of a failing listener. */
export function runEventBusContract(opts: EventBusContractOptions): void {
  describe(`event bus contract: ${opts.name}`, () => {
    it('delivers to its own subscribers synchronously as local, and to the other node as remote', async () => {
      const { a, b, shared, cleanup } = await opts.create();
      try {
        const ra = received(a);
        const rb = shared ? null : received(b);
        const e = makeEvent('session.status', 'w', 's1', { status: 'open', phone: '1' });
        a.publish(e);
        expect(ra.got).toEqual([{ e, origin: 'local' }]); // synchronous, before publish returns
        if (rb) {
          await rb.until(1);
          expect(rb.got[0].origin).toBe('remote');
          expect(rb.got[0].e).toEqual(e);
          // and never echoed back to its origin
          const e2 = makeEvent('session.status', 'w', 's2', { status: 'qr', phone: null });
          b.publish(e2);
          await ra.until(2);
          expect(ra.got.map((x) => [x.e.id, x.origin])).toEqual([
            [e.id, 'local'],
            [e2.id, 'remote'],
          ]);
        }
      } finally {
        await cleanup();
      }
    });

    it('keeps order per publisher, isolates a throwing listener, and stops after unsubscribe', async () => {
      const { a, b, shared, cleanup } = await opts.create();
      try {
        a.subscribe(() => {
          throw new Error('listener bug');
        });
        const target = shared ? a : b;
        const r = received(target);
        const unsubscribeLater = target.subscribe(() => {});
        const events = Array.from({ length: 20 }, (_, i) => makeEvent('message.status', 'w', 's', { messageId: `m${i}`, waId: `w${i}`, status: 'sent', chat: 'c' }));
        for (const e of events) a.publish(e);
        await r.until(20);
        expect(r.got.map((x) => x.e.id)).toEqual(events.map((e) => e.id));
        unsubscribeLater();
      } finally {
        await cleanup();
      }
    });
  });
}
