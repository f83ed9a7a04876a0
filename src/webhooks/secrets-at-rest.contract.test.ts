import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { Keyring, keyringSealer } from '../state-store/index.js';
import { TEST_DATABASES } from './testing/harness.js';
import { messageReceived, WS } from './testing/events.js';
import { useTestEnv } from './testing/use-test-env.js';

describe.each(TEST_DATABASES)('webhook secrets at rest ($name)', (database) => {
  const t = useTestEnv(database);
  const storedSecret = async (node: { db: { db: any } }, id: string): Promise<string> =>
    (await node.db.db.selectFrom('webhooks').select('secret').where('id', '=', id).executeTakeFirstOrThrow()).secret;

  it('stores the secret sealed, and still signs with it', async () => {
    const rx = await t.receiver();
    const node = await t.node();
    const hook = await node.webhooks.service.create(WS, { url: rx.url });
    const stored = await storedSecret(node, hook.id);
    expect(stored).toMatch(/^ksec1\./);
    expect(stored).not.toContain(hook.secret.slice(6, 30));
    node.bus.publish(messageReceived('sealed'));
    const [got] = await rx.receipts.until((r) => r.length >= 1);
    expect(new Webhook(hook.secret).verify(got.body, got.headers)).toBeTruthy();
  });

  it('seals secrets stored in plaintext (before sealing existed) when it starts, and signs with them', async () => {
    const rx = await t.receiver();
    const node = await t.node({}, { start: false });
    const hook = await node.webhooks.service.create(WS, { url: rx.url });
    await node.db.db.updateTable('webhooks').set({ secret: hook.secret }).where('id', '=', hook.id).execute(); // as an older version stored it
    node.webhooks.start();
    await expect.poll(() => storedSecret(node, hook.id), { timeout: 5_000 }).toMatch(/^ksec1\./);
    node.bus.publish(messageReceived('legacy'));
    const [got] = await rx.receipts.until((r) => r.length >= 1);
    expect(new Webhook(hook.secret).verify(got.body, got.headers)).toBeTruthy();
  });

  it('leaves out a webhook whose key is not configured and delivers to the others', async () => {
    const good = await t.receiver();
    const lost = await t.receiver();
    const node = await t.node({}, { start: false });
    const ok = await node.webhooks.service.create(WS, { url: good.url });
    const orphan = await node.webhooks.service.create(WS, { url: lost.url });
    const foreign = keyringSealer(Keyring.generate(), 'webhook secret').seal(orphan.secret, orphan.id);
    await node.db.db.updateTable('webhooks').set({ secret: foreign }).where('id', '=', orphan.id).execute();
    node.webhooks.start();
    node.bus.publish(messageReceived('one'));
    const [got] = await good.receipts.until((r) => r.length >= 1);
    expect(new Webhook(ok.secret).verify(got.body, got.headers)).toBeTruthy();
    expect(lost.receipts.length).toBe(0);
    expect(await storedSecret(node, orphan.id)).toBe(foreign); // not overwritten, not lost
  });
});
