import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { DeliveryOutbox } from './delivery-outbox.js';
import { TEST_DATABASES } from './testing/harness.js';
import { closedPort } from './testing/receiver.js';
import { useTestEnv } from './testing/use-test-env.js';
import { WS, messageReceived } from './testing/events.js';

describe.each(TEST_DATABASES)('webhook durability ($name)', (database) => {
  const t = useTestEnv(database);

  it('a delivery that failed while the receiver was down is delivered by the next process', async () => {
    const port = await closedPort();
    const first = await t.node({ retrySchedule: [300] });
    const hook = await first.webhooks.service.create(WS, { url: `http://127.0.0.1:${port}/hook` });
    const event = messageReceived('while down');
    first.bus.publish(event);
    const refused = await first.attempts.find(() => true);
    expect(refused.outcome).toMatchObject({ kind: 'retry', error: expect.stringMatching(/connection refused/) });
    await first.stop(); // the gateway goes away; only the database remembers

    const rx = await t.receiver(() => 200, port);
    const second = await t.node({ retrySchedule: [300] }); // new process objects, same database
    const got = await rx.receipts.find(() => true);
    expect(got.headers['webhook-id']).toBe(event.id);
    expect(new Webhook(hook.secret).verify(got.body, got.headers)).toMatchObject({ id: event.id });
    await second.attempts.find((a) => a.outcome.kind === 'delivered');
    const [d] = (await second.webhooks.service.listDeliveries(WS, hook.id)).deliveries;
    expect(d).toMatchObject({ status: 'delivered', attempts: 2, lastStatusCode: 200 });
  });

  it('a row left delivering by a crashed dispatcher is delivered once its claim expires', async () => {
    const rx = await t.receiver();
    const idle = await t.node({}, { start: false });
    const hook = await idle.webhooks.service.create(WS, { url: rx.url });
    const queued = await idle.webhooks.service.test(WS, hook.id);
    // The crashed process: it claimed the row and died without settling or releasing it.
    const claimedAt = Date.now();
    const claimed = await new DeliveryOutbox(idle.db.db, idle.db.dialect).claim({ owner: 'crashed:1', now: claimedAt, leaseMs: 600, limit: 10 });
    expect(claimed.map((r) => r.id)).toEqual([queued.id]);

    const survivor = await t.node();
    const got = await rx.receipts.find(() => true);
    expect(got.at).toBeGreaterThanOrEqual(claimedAt + 600);
    expect(got.headers['webhook-id']).toBe(queued.eventId);
    await survivor.attempts.find((a) => a.outcome.kind === 'delivered');
    expect(rx.receipts.length).toBe(1);
    const [d] = (await survivor.webhooks.service.listDeliveries(WS, hook.id)).deliveries;
    expect(d).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('two dispatchers sharing the database deliver every event exactly once', async () => {
    const N = 120;
    const rx = await t.receiver(() => new Promise((resolve) => setTimeout(() => resolve(200), 5)));
    const a = await t.node({ concurrency: 4, pollMs: 10 });
    const b = await t.node({ concurrency: 4, pollMs: 10 });
    await a.webhooks.service.create(WS, { url: rx.url });
    await a.webhooks.service.create(WS, { url: rx.url }); // two endpoints: 2N deliveries
    const events = Array.from({ length: N }, (_, i) => messageReceived(`m${i}`));
    for (const e of events) a.bus.publish(e);

    const delivered = () => a.attempts.items.length + b.attempts.items.length;
    // Whichever node makes the last attempt resolves this.
    await Promise.race([a.attempts.until(() => delivered() >= 2 * N), b.attempts.until(() => delivered() >= 2 * N)]);
    await rx.receipts.until((r) => r.length >= 2 * N);
    const counts = rx.countById();
    expect(counts.size).toBe(N);
    expect([...counts.values()].every((c) => c === 2)).toBe(true); // once per webhook
    expect(rx.receipts.length).toBe(2 * N);
    expect(a.attempts.items.every((x) => x.outcome.kind === 'delivered')).toBe(true);
    expect(b.attempts.items.every((x) => x.outcome.kind === 'delivered')).toBe(true);
    expect(a.attempts.length).toBeGreaterThan(0);
    expect(b.attempts.length).toBeGreaterThan(0);
  });

  it('a claim takes at most its limit, and concurrent claimers never share a row', async () => {
    const node = await t.node({}, { start: false });
    const hook = await node.webhooks.service.create(WS, { url: 'http://127.0.0.1:1/unused' });
    for (let i = 0; i < 20; i++) await node.webhooks.service.test(WS, hook.id);
    const other = t.env.connect();
    try {
      const mine = new DeliveryOutbox(node.db.db, node.db.dialect);
      const theirs = new DeliveryOutbox(other.db, other.dialect);
      const now = Date.now();
      const [a, b] = await Promise.all([
        mine.claim({ owner: 'a', now, leaseMs: 60_000, limit: 3 }),
        theirs.claim({ owner: 'b', now, leaseMs: 60_000, limit: 3 }),
      ]);
      expect(a.length).toBe(3);
      expect(b.length).toBe(3);
      expect(new Set([...a, ...b].map((r) => r.id)).size).toBe(6);
      const rest = await mine.claim({ owner: 'c', now, leaseMs: 60_000, limit: 100 });
      expect(rest.length).toBe(14);
      expect(await mine.claim({ owner: 'd', now, leaseMs: 60_000, limit: 100 })).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('never has more than `concurrency` requests in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const rx = await t.receiver(async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 15)); // the receiver's work
      inFlight--;
      return 200;
    });
    const node = await t.node({ concurrency: 3 });
    await node.webhooks.service.create(WS, { url: rx.url });
    for (let i = 0; i < 15; i++) node.bus.publish(messageReceived(`m${i}`));
    await node.attempts.until((a) => a.length === 15);
    expect(most).toBe(3);
  });

  it('stop() waits for a request in flight and records its answer', async () => {
    let answer!: () => void;
    const rx = await t.receiver(() => new Promise((resolve) => (answer = () => resolve(200))));
    const node = await t.node();
    const hook = await node.webhooks.service.create(WS, { url: rx.url });
    node.bus.publish(messageReceived());
    await rx.receipts.until((r) => r.length === 1);
    const stopping = node.webhooks.stop();
    answer();
    await stopping;
    const db = t.env.connect();
    try {
      const rows = await new DeliveryOutbox(db.db, db.dialect).list(hook.id, { limit: 10 });
      expect(rows).toMatchObject([{ status: 'delivered', attempts: 1, locked_by: null }]);
    } finally {
      await db.close();
    }
  });

  it('stop() gives back a claim whose request does not finish in time, without counting the attempt', async () => {
    const rx = await t.receiver(() => new Promise<number>(() => {})); // never answers
    const node = await t.node({ stopTimeoutMs: 200 });
    const hook = await node.webhooks.service.create(WS, { url: rx.url });
    node.bus.publish(messageReceived());
    await rx.receipts.until((r) => r.length === 1);
    const t0 = Date.now();
    await node.webhooks.stop();
    expect(Date.now() - t0).toBeLessThan(2_000);
    const db = t.env.connect();
    try {
      const rows = await new DeliveryOutbox(db.db, db.dialect).list(hook.id, { limit: 10 });
      expect(rows).toMatchObject([{ status: 'pending', attempts: 0, locked_by: null, locked_until: null }]);
      expect(rows[0].next_attempt_at).toBeLessThanOrEqual(Date.now());
    } finally {
      await db.close();
    }
  });
});
