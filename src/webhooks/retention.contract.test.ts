import { describe, expect, it } from 'vitest';
import { DeliveryOutbox, newDeliveryRow } from './delivery-outbox.js';
import { eventPayload } from './event-payload.js';
import { TEST_DATABASES } from './testing/harness.js';
import { messageReceived, WS } from './testing/events.js';
import { useTestEnv } from './testing/use-test-env.js';

const DAY = 86_400_000;

describe.each(TEST_DATABASES)('webhook delivery retention ($name)', (database) => {
  const t = useTestEnv(database);

  it('deletes finished deliveries past retention, in batches, and never a pending or recent one', async () => {
    const node = await t.node({ retentionMs: 7 * DAY }, { start: false });
    const hook = await node.webhooks.service.create(WS, { url: 'http://127.0.0.1:1/x' });
    const now = Date.now();
    const row = (status: 'delivered' | 'failed' | 'pending', age: number) => {
      const r = newDeliveryRow({ id: hook.id, workspaceId: WS }, eventPayload(messageReceived()), now - age);
      return { ...r, status, next_attempt_at: status === 'pending' ? now + DAY : null };
    };
    const oldFinished = [...Array.from({ length: 1203 }, () => row('delivered', 8 * DAY)), row('failed', 30 * DAY)];
    const keep = [row('pending', 30 * DAY), row('delivered', 6 * DAY), row('failed', DAY)];
    const outbox = new DeliveryOutbox(node.db.db, node.db.dialect);
    await outbox.enqueue([...oldFinished, ...keep]);

    node.webhooks.start();
    const left = () => node.db.db.selectFrom('webhook_deliveries').select('id').execute();
    await expect.poll(async () => (await left()).length, { timeout: 10_000 }).toBe(keep.length);
    expect((await left()).map((r) => r.id).sort()).toEqual(keep.map((r) => r.id).sort());
  });

  it('keeps everything with retention 0', async () => {
    const node = await t.node({ retentionMs: 0, pruneEveryMs: 10 }, { start: false });
    const hook = await node.webhooks.service.create(WS, { url: 'http://127.0.0.1:1/x' });
    const r = { ...newDeliveryRow({ id: hook.id, workspaceId: WS }, eventPayload(messageReceived()), Date.now() - 365 * DAY), status: 'delivered' as const, next_attempt_at: null };
    const outbox = new DeliveryOutbox(node.db.db, node.db.dialect);
    await outbox.enqueue([r]);
    expect(await outbox.pruneFinished(Date.now(), 10)).toBe(1); // the query itself would delete it…
    await outbox.enqueue([r]);
    node.webhooks.start();
    await node.webhooks.stop(); // …but no sweep ran
    expect((await node.db.db.selectFrom('webhook_deliveries').select('id').execute()).length).toBe(1);
  });
});
