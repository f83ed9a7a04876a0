import { beforeEach, describe, expect, it } from 'vitest';
import { TEST_DATABASES } from './testing/harness.js';
import type { Receiver } from './testing/receiver.js';
import { useTestEnv } from './testing/use-test-env.js';
import { WS, messageReceived } from './testing/events.js';
import type { Resolver } from './url-guard.js';

const sqlite = TEST_DATABASES.find((d) => d.name === 'sqlite')!;

/** DNS that answers from a table the test can change (rebinding). */
function fakeDns(table: Record<string, string>): Resolver {
  return async (host) => {
    const address = table[host];
    if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return [{ address, family: address.includes(':') ? 6 : 4 }];
  };
}

describe('delivery-time guard and transport', () => {
  const t = useTestEnv(sqlite);
  let rx: Receiver;
  beforeEach(async () => {
    rx = await t.receiver();
  });

  it('refuses at delivery a host that resolved to a public address at creation and to loopback now', async () => {
    const dns = { 'hooks.example.test': '93.184.216.34' };
    const node = await t.node({ allowPrivateUrls: false, resolve: fakeDns(dns) });
    const hook = await node.webhooks.service.create(WS, { url: `http://hooks.example.test:${rx.port}/hook` });
    dns['hooks.example.test'] = '127.0.0.1'; // DNS rebinding
    node.bus.publish(messageReceived());

    const attempt = await node.attempts.find(() => true);
    expect(attempt.outcome).toMatchObject({ kind: 'retry', statusCode: null, error: expect.stringMatching(/hooks\.example\.test resolves to 127\.0\.0\.1, which is a loopback address/) });
    const [d] = (await node.webhooks.service.listDeliveries(WS, hook.id)).deliveries;
    expect(d).toMatchObject({ status: 'pending', attempts: 1 });
    expect(d.lastError).toMatch(/KIRIM_ALLOW_PRIVATE_URLS/);
    expect(rx.receipts.length).toBe(0);
  });

  it('refuses at delivery a private IP-literal URL stored while private URLs were allowed', async () => {
    const permissive = await t.node({}, { start: false });
    const hook = await permissive.webhooks.service.create(WS, { url: rx.url });
    const strict = await t.node({ allowPrivateUrls: false });
    await strict.webhooks.service.test(WS, hook.id);
    const attempt = await strict.attempts.find(() => true);
    expect(attempt.outcome).toMatchObject({ kind: 'retry', error: expect.stringMatching(/127\.0\.0\.1 is a loopback address/) });
    expect(rx.receipts.length).toBe(0);
  });

  it('connects to the address its resolver vetted (private allowed here)', async () => {
    const node = await t.node({ resolve: fakeDns({ 'receiver.test': '127.0.0.1' }) });
    await node.webhooks.service.create(WS, { url: `http://receiver.test:${rx.port}/hook` });
    const event = messageReceived();
    node.bus.publish(event);
    const got = await rx.receipts.find(() => true);
    expect(got.headers['webhook-id']).toBe(event.id);
    expect(got.headers.host).toBe(`receiver.test:${rx.port}`);
  });

  it('does not follow redirects and gives up on a receiver that does not answer in time', async () => {
    rx.respond = (r) => (r.index === 0 ? 302 : new Promise<number>(() => {}));
    const node = await t.node({ timeoutMs: 200, concurrency: 1 });
    await node.webhooks.service.create(WS, { url: rx.url });
    node.bus.publish(messageReceived('redirected'));
    const redirected = await node.attempts.find(() => true);
    expect(redirected.outcome).toMatchObject({ kind: 'retry', statusCode: 302, error: expect.stringMatching(/redirects are not followed/) });
    const slow = await node.attempts.find((a) => a !== redirected);
    expect(slow.outcome).toMatchObject({ kind: 'retry', statusCode: null, error: 'no answer within 200 ms' });
  });
});
