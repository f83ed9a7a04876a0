import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { TEST_DATABASES } from './testing/harness.js';
import { useTestEnv } from './testing/use-test-env.js';
import { WS, messageReceived } from './testing/events.js';

const code = (p: Promise<unknown>) => p.then(() => 'resolved', (e: { code?: string }) => e.code ?? String(e));

describe.each(TEST_DATABASES)('webhook service ($name)', (database) => {
  const t = useTestEnv(database);

  it('creates, lists, gets, updates and deletes webhooks, scoped to the workspace', async () => {
    const { webhooks } = await t.node({}, { start: false });
    const svc = webhooks.service;
    const created = await svc.create(WS, { url: 'http://127.0.0.1:1/a', events: ['message.received', 'message.received', 'session.qr'], description: 'CRM' });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(created.secret.slice(6), 'base64')).toHaveLength(32);
    expect(created).toMatchObject({ url: 'http://127.0.0.1:1/a', events: ['message.received', 'session.qr'], description: 'CRM', enabled: true, disabledReason: null });
    const second = await svc.create(WS, { url: 'http://127.0.0.1:1/b' });
    expect(second.events).toBeNull();
    expect(second.secret).not.toBe(created.secret);

    const listed = await svc.list(WS);
    expect(listed.map((w) => w.id)).toEqual([created.id, second.id]);
    expect(listed.every((w) => !('secret' in w))).toBe(true);
    expect(await svc.get(WS, created.id)).not.toHaveProperty('secret');
    expect(await svc.list('other-ws')).toEqual([]);
    expect(await code(svc.get('other-ws', created.id))).toBe('webhook_not_found');

    const updated = await svc.update(WS, created.id, { url: 'http://127.0.0.1:1/c', events: null, description: null });
    expect(updated).toMatchObject({ url: 'http://127.0.0.1:1/c', events: null, description: null });
    const paused = await svc.update(WS, created.id, { enabled: false });
    expect(paused).toMatchObject({ enabled: false, disabledReason: 'disabled through the API' });
    expect(await code(svc.update('other-ws', created.id, { description: 'x' }))).toBe('webhook_not_found');

    await svc.delete(WS, created.id);
    expect(await code(svc.get(WS, created.id))).toBe('webhook_not_found');
    expect(await code(svc.delete(WS, created.id))).toBe('webhook_not_found');
    expect(await code(svc.delete('other-ws', second.id))).toBe('webhook_not_found');
    expect((await svc.list(WS)).map((w) => w.id)).toEqual([second.id]);
  });

  it('deleting a webhook drops its queued deliveries and stops new ones', async () => {
    const node = await t.node({}, { start: false });
    const svc = node.webhooks.service;
    const doomed = await svc.create(WS, { url: 'http://127.0.0.1:1/doomed' });
    const kept = await svc.create(WS, { url: 'http://127.0.0.1:1/kept' });
    await svc.test(WS, doomed.id);
    await svc.test(WS, kept.id);
    await svc.delete(WS, doomed.id);
    const rows = await node.db.db.selectFrom('webhook_deliveries').select(['webhook_id']).execute();
    expect(rows).toEqual([{ webhook_id: kept.id }]);
  });

  it('pages deliveries newest first with a cursor and filters by status', async () => {
    let now = Date.now();
    const node = await t.node({ clock: { now: () => (now += 1) } }, { start: false }); // one ms apart
    const svc = node.webhooks.service;
    const hook = await svc.create(WS, { url: 'http://127.0.0.1:1/x' });
    const queued = [];
    for (let i = 0; i < 5; i++) queued.push(await svc.test(WS, hook.id));
    const newestFirst = queued.map((d) => d.id).reverse();

    const p1 = await svc.listDeliveries(WS, hook.id, { limit: 2 });
    const p2 = await svc.listDeliveries(WS, hook.id, { limit: 2, cursor: p1.nextCursor! });
    const p3 = await svc.listDeliveries(WS, hook.id, { limit: 2, cursor: p2.nextCursor! });
    expect([...p1.deliveries, ...p2.deliveries, ...p3.deliveries].map((d) => d.id)).toEqual(newestFirst);
    expect(p3.nextCursor).toBeNull();
    expect(p1.deliveries[0]).toMatchObject({ eventType: 'webhook.test', status: 'pending', attempts: 0, lastStatusCode: null });
    expect((await svc.listDeliveries(WS, hook.id, { status: 'pending' })).deliveries).toHaveLength(5);
    expect((await svc.listDeliveries(WS, hook.id, { status: 'delivered' })).deliveries).toEqual([]);
    expect(await code(svc.listDeliveries('other-ws', hook.id))).toBe('webhook_not_found');
  });

  it('redelivers a delivered event with the same webhook-id, and refuses unknown or disabled ones', async () => {
    const rx = await t.receiver();
    const node = await t.node();
    const svc = node.webhooks.service;
    const hook = await svc.create(WS, { url: rx.url });
    const event = messageReceived();
    node.bus.publish(event);
    await node.attempts.find((a) => a.outcome.kind === 'delivered');
    const [delivered] = (await svc.listDeliveries(WS, hook.id)).deliveries;

    const again = await svc.redeliver(WS, hook.id, delivered.id);
    expect(again).toMatchObject({ id: delivered.id, status: 'pending', attempts: 0, deliveredAt: null });
    await rx.receipts.until((r) => r.length === 2);
    expect(rx.receipts.items.map((r) => r.headers['webhook-id'])).toEqual([event.id, event.id]);
    expect(new Webhook(hook.secret).verify(rx.receipts.items[1].body, rx.receipts.items[1].headers)).toMatchObject({ id: event.id });

    expect(await code(svc.redeliver(WS, hook.id, 'whd_nope'))).toBe('delivery_not_found');
    expect(await code(svc.redeliver(WS, 'whk_nope', delivered.id))).toBe('webhook_not_found');
    await svc.update(WS, hook.id, { enabled: false });
    expect(await code(svc.redeliver(WS, hook.id, delivered.id))).toBe('conflict');
    expect(await code(svc.test(WS, hook.id))).toBe('conflict');
  });

  it('sends a signed webhook.test ping', async () => {
    const rx = await t.receiver();
    const node = await t.node();
    const hook = await node.webhooks.service.create(WS, { url: rx.url });
    const queued = await node.webhooks.service.test(WS, hook.id);
    expect(queued).toMatchObject({ webhookId: hook.id, eventType: 'webhook.test', status: 'pending' });
    const got = await rx.receipts.find(() => true);
    expect(got.headers['webhook-id']).toBe(queued.eventId);
    expect(new Webhook(hook.secret).verify(got.body, got.headers)).toMatchObject({ id: queued.eventId, type: 'webhook.test', data: { webhookId: hook.id } });
  });
});
