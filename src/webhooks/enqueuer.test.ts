import { describe, expect, it } from 'vitest';
import { LocalEventBus } from '../core/local-event-bus.js';
import { silentLogger } from '../core/logger.js';
import type { CachedWebhook } from './webhook-cache.js';
import { Enqueuer } from './enqueuer.js';
import { WS, messageReceived } from './testing/events.js';
import { WaitableList } from './testing/waitable-list.js';

const hook: CachedWebhook = { id: 'whk_1', workspaceId: WS, url: 'https://a.example/', secret: 'whsec_AA==', events: null };

function setup(failures: number) {
  const bus = new LocalEventBus(silentLogger);
  const inserted = new WaitableList<{ event_id: string }>();
  let calls = 0;
  let wakes = 0;
  const enqueuer = new Enqueuer({
    events: bus,
    cache: { ready: async () => {}, matching: (ws) => (ws === WS ? [hook] : []) },
    outbox: {
      async enqueue(rows) {
        if (++calls <= failures) throw new Error('database is locked');
        for (const r of rows) inserted.push({ event_id: r.event_id });
      },
    },
    clock: { now: () => Date.now() },
    logger: silentLogger,
    onEnqueued: () => wakes++,
    retryDelaysMs: [5, 5, 5],
  });
  enqueuer.start();
  return { bus, inserted, enqueuer, calls: () => calls, wakes: () => wakes };
}

describe('Enqueuer', () => {
  it('retries an insert the database refused, then wakes the dispatcher', async () => {
    const t = setup(2);
    const event = messageReceived();
    t.bus.publish(event);
    await t.inserted.until((r) => r.length === 1);
    expect(t.inserted.items).toEqual([{ event_id: event.id }]);
    await t.enqueuer.stop();
    expect(t.calls()).toBe(3);
    expect(t.wakes()).toBe(1);
  });

  it('stop() waits for events already received, and nothing is queued after it', async () => {
    const t = setup(1);
    const before = messageReceived('before');
    t.bus.publish(before);
    await t.enqueuer.stop(); // the pending retry makes one last try at once
    expect(t.inserted.items).toEqual([{ event_id: before.id }]);
    t.bus.publish(messageReceived('after'));
    await Promise.resolve();
    expect(t.inserted.length).toBe(1);
  });

  it('ignores other workspaces and remote events without touching the database', async () => {
    const t = setup(0);
    t.bus.publish(messageReceived('elsewhere', 'ws-2'));
    t.bus.deliver(messageReceived('remote'), 'remote');
    const mine = messageReceived('mine');
    t.bus.publish(mine);
    await t.inserted.until((r) => r.length === 1);
    expect(t.inserted.items).toEqual([{ event_id: mine.id }]);
    expect(t.calls()).toBe(1);
    await t.enqueuer.stop();
  });

  it('gives up (and logs) when the database keeps refusing, instead of holding stop() forever', async () => {
    const t = setup(Infinity);
    t.bus.publish(messageReceived());
    await t.enqueuer.stop();
    expect(t.inserted.length).toBe(0);
    expect(t.calls()).toBeGreaterThanOrEqual(2);
    expect(t.calls()).toBeLessThanOrEqual(4); // the first try, then at most the 3 retries
  });
});
