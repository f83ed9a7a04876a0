import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { TEST_DATABASES } from './testing/harness.js';
import { closedPort, gate } from './testing/receiver.js';
import { useTestEnv } from './testing/use-test-env.js';
import { WS, messageReceived, sessionQr } from './testing/events.js';

describe.each(TEST_DATABASES)('webhook delivery ($name)', (database) => {
  const t = useTestEnv(database);
  const { receiver } = t;

  it('POSTs the event JSON signed so that the standardwebhooks package verifies it', async () => {
    const rx = await receiver();
    const node = await t.node();
    const hook = await node.webhooks.service.create(WS, { url: rx.url });
    const event = messageReceived('halo');
    node.bus.publish(event);

    const [got] = await rx.receipts.until((r) => r.length >= 1);
    const verified = new Webhook(hook.secret).verify(got.body, got.headers) as Record<string, unknown>;
    expect(verified).toEqual({ id: event.id, type: 'message.received', sessionId: 'ses_test', workspaceId: WS, timestamp: event.timestamp, data: event.data });
    expect(got.headers['webhook-id']).toBe(event.id);
    expect(Math.abs(Number(got.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['user-agent']).toBe('kirim-webhooks/1');
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(got.body, got.headers)).toThrow();

    await node.attempts.find((a) => a.outcome.kind === 'delivered');
    const { deliveries } = await node.webhooks.service.listDeliveries(WS, hook.id);
    expect(deliveries).toMatchObject([{ eventId: event.id, eventType: 'message.received', status: 'delivered', attempts: 1, lastStatusCode: 200, lastError: null, nextAttemptAt: null }]);
    expect(deliveries[0].deliveredAt).not.toBeNull();
  });

  it('retries a 500 with the same webhook-id, the first retry on schedule, then records the 200', async () => {
    const rx = await receiver((r) => (r.index === 0 ? 500 : 200));
    // Polling is slow here, so the retry must come from the dispatcher's own schedule.
    const node = await t.node({ retrySchedule: [400, 60_000], retryJitter: 0.2, pollMs: 10_000 });
    const hook = await node.webhooks.service.create(WS, { url: rx.url });
    const event = messageReceived();
    node.bus.publish(event);

    const [first, second] = await rx.receipts.until((r) => r.length >= 2);
    expect(first.headers['webhook-id']).toBe(event.id);
    expect(second.headers['webhook-id']).toBe(event.id);
    expect(second.body).toBe(first.body);
    const gap = second.at - first.at;
    expect(gap).toBeGreaterThanOrEqual(400 * 0.8 - 5);
    expect(gap).toBeLessThan(400 * 1.2 + 1_000); // slack for a loaded machine, still far below the 10 s poll
    expect(new Webhook(hook.secret).verify(second.body, second.headers)).toBeTruthy();

    const retry = await node.attempts.find((a) => a.attempt === 1);
    expect(retry.outcome).toMatchObject({ kind: 'retry', statusCode: 500, error: 'HTTP 500: answer 500' });
    await node.attempts.find((a) => a.outcome.kind === 'delivered');
    const [d] = (await node.webhooks.service.listDeliveries(WS, hook.id)).deliveries;
    expect(d).toMatchObject({ status: 'delivered', attempts: 2, lastStatusCode: 200 });
  });

  it('marks a delivery failed when the retry schedule is used up', async () => {
    const rx = await receiver(() => 503);
    const node = await t.node({ retrySchedule: [20, 20] });
    const hook = await node.webhooks.service.create(WS, { url: rx.url });
    node.bus.publish(messageReceived());

    const last = await node.attempts.find((a) => a.outcome.kind === 'failed');
    expect(last.attempt).toBe(3);
    expect(rx.receipts.length).toBe(3);
    const [d] = (await node.webhooks.service.listDeliveries(WS, hook.id)).deliveries;
    expect(d).toMatchObject({ status: 'failed', attempts: 3, lastStatusCode: 503, nextAttemptAt: null });
    expect(d.lastError).toMatch(/HTTP 503.*gave up after 3 attempts/);
  });

  it('records a refused connection and retries it', async () => {
    const node = await t.node({ retrySchedule: [20] });
    const hook = await node.webhooks.service.create(WS, { url: `http://127.0.0.1:${await closedPort()}/hook` });
    node.bus.publish(messageReceived());
    const failed = await node.attempts.find((a) => a.outcome.kind === 'failed');
    expect(failed.attempt).toBe(2);
    const [d] = (await node.webhooks.service.listDeliveries(WS, hook.id)).deliveries;
    expect(d.lastStatusCode).toBeNull();
    expect(d.lastError).toMatch(/connection refused/);
  });

  it('410 Gone disables the webhook, parks its pending deliveries, and re-enabling resumes them', async () => {
    const hold = gate();
    const rx = await receiver(async (r) => {
      if (r.index > 0) return 200;
      await hold.promise;
      return 410;
    });
    const other = await receiver();
    const node = await t.node({ concurrency: 1 });
    const hook = await node.webhooks.service.create(WS, { url: rx.url });
    await node.webhooks.service.create(WS, { url: other.url });

    const e1 = messageReceived('first');
    node.bus.publish(e1);
    await rx.receipts.until((r) => r.length === 1); // in flight, held
    const ping = await node.webhooks.service.test(WS, hook.id); // queued behind it
    hold.open();
    await node.attempts.find((a) => a.outcome.kind === 'gone');

    const disabled = await node.webhooks.service.get(WS, hook.id);
    expect(disabled.enabled).toBe(false);
    expect(disabled.disabledReason).toMatch(/410 Gone/);
    // A new event reaches the other webhook only.
    const e2 = messageReceived('second');
    node.bus.publish(e2);
    await other.receipts.find((r) => r.headers['webhook-id'] === e2.id);
    const list = (await node.webhooks.service.listDeliveries(WS, hook.id)).deliveries;
    expect(list.map((d) => d.eventId).sort()).toEqual([e1.id, ping.eventId].sort());
    expect(list.find((d) => d.eventId === e1.id)).toMatchObject({ status: 'failed', lastStatusCode: 410 });
    expect(list.find((d) => d.eventId === ping.eventId)).toMatchObject({ status: 'pending', nextAttemptAt: null });
    expect(rx.receipts.length).toBe(1);

    await node.webhooks.service.update(WS, hook.id, { enabled: true });
    const resumed = await rx.receipts.find((r) => r.headers['webhook-id'] === ping.eventId);
    expect(JSON.parse(resumed.body)).toMatchObject({ type: 'webhook.test', workspaceId: WS, data: { webhookId: hook.id } });
    expect((await node.webhooks.service.get(WS, hook.id)).disabledReason).toBeNull();
  });

  it('delivers only the event types a webhook asked for, and only its own workspace', async () => {
    const qrOnly = await receiver();
    const all = await receiver();
    const otherWs = await receiver();
    const node = await t.node();
    await node.webhooks.service.create(WS, { url: qrOnly.url, events: ['session.qr'] });
    await node.webhooks.service.create(WS, { url: all.url });
    await node.webhooks.service.create('ws-other', { url: otherWs.url });

    const msg = messageReceived();
    const qr = sessionQr();
    node.bus.publish(msg);
    node.bus.publish(qr);
    await all.receipts.until((r) => r.length === 2);
    await qrOnly.receipts.find((r) => r.headers['webhook-id'] === qr.id);
    const theirs = messageReceived('for them', 'ws-other');
    node.bus.publish(theirs);
    await otherWs.receipts.find((r) => r.headers['webhook-id'] === theirs.id);

    expect(qrOnly.receipts.items.map((r) => r.headers['webhook-id'])).toEqual([qr.id]);
    expect(otherWs.receipts.items.map((r) => r.headers['webhook-id'])).toEqual([theirs.id]);
    expect(all.receipts.length).toBe(2);
  });

  it('does not queue events that came from other nodes (origin remote)', async () => {
    const rx = await receiver();
    const node = await t.node();
    const hook = await node.webhooks.service.create(WS, { url: rx.url });
    const remote = messageReceived('from another node');
    node.bus.deliver(remote, 'remote');
    const local = messageReceived('from here');
    node.bus.publish(local);

    await rx.receipts.find((r) => r.headers['webhook-id'] === local.id);
    await node.attempts.find((a) => a.outcome.kind === 'delivered');
    const { deliveries } = await node.webhooks.service.listDeliveries(WS, hook.id);
    expect(deliveries.map((d) => d.eventId)).toEqual([local.id]);
    expect(rx.receipts.length).toBe(1);
  });
});
