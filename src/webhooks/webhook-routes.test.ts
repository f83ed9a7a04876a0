import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpenAPIHono } from '@hono/zod-openapi';
import { type AuthEnv, requireApiKey, staticKeyResolver } from '../api/auth.js';
import { onError, validationHook } from '../api/errors.js';
import { webhookRoutes } from '../api/routes/webhooks.js';
import { silentLogger } from '../core/logger.js';
import { TEST_DATABASES, openEnv, type TestEnv } from './testing/harness.js';

const KEY = 'test-key-webhooks-0123456789';
const sqlite = TEST_DATABASES.find((d) => d.name === 'sqlite')!;

describe('webhook routes', () => {
  let env: TestEnv;
  let app: OpenAPIHono<AuthEnv>;
  let hookId: string;
  let deliveryId: string;

  beforeEach(async () => {
    env = await openEnv(sqlite);
    const resolve = async () => [{ address: '93.184.216.34', family: 4 }];
    const node = await env.node({ allowPrivateUrls: false, resolve }, { start: false });
    app = new OpenAPIHono<AuthEnv>({ defaultHook: validationHook });
    app.onError(onError(silentLogger));
    app.use('/v1/*', requireApiKey(staticKeyResolver(KEY, 'default')));
    webhookRoutes(app, node.webhooks.service);
    const hook = await node.webhooks.service.create('default', { url: 'https://hooks.example.com/in' });
    hookId = hook.id;
    deliveryId = (await node.webhooks.service.test('default', hook.id)).id;
  });
  afterEach(() => env.cleanup());

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const init: RequestInit = { method, headers: { authorization: `Bearer ${KEY}`, ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const res = await app.request(path, init);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };

  it('runs the whole lifecycle over HTTP', async () => {
    const created = await call('POST', '/v1/webhooks', { url: 'https://crm.example.com/hook', events: ['message.received'], description: 'CRM' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ url: 'https://crm.example.com/hook', events: ['message.received'], description: 'CRM', enabled: true });
    expect(created.body.secret).toMatch(/^whsec_/);
    expect(created.body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const id = created.body.id;

    const list = await call('GET', '/v1/webhooks');
    expect(list.status).toBe(200);
    expect(list.body.webhooks.map((w: { id: string }) => w.id)).toEqual([hookId, id]);
    expect(JSON.stringify(list.body)).not.toContain('whsec_');
    expect((await call('GET', `/v1/webhooks/${id}`)).body).not.toHaveProperty('secret');

    const patched = await call('PATCH', `/v1/webhooks/${id}`, { events: null, enabled: false });
    expect(patched).toMatchObject({ status: 200, body: { events: null, enabled: false } });
    expect((await call('PATCH', `/v1/webhooks/${id}`, { enabled: true })).body).toMatchObject({ enabled: true, disabledReason: null });

    const ping = await call('POST', `/v1/webhooks/${id}/test`);
    expect(ping).toMatchObject({ status: 202, body: { eventType: 'webhook.test', status: 'pending' } });
    const deliveries = await call('GET', `/v1/webhooks/${id}/deliveries?status=pending&limit=10`);
    expect(deliveries).toMatchObject({ status: 200, body: { deliveries: [{ id: ping.body.id }], nextCursor: null } });
    expect((await call('POST', `/v1/webhooks/${id}/deliveries/${ping.body.id}/redeliver`)).status).toBe(202);

    expect((await call('DELETE', `/v1/webhooks/${id}`)).status).toBe(204);
    expect((await call('GET', `/v1/webhooks/${id}`)).status).toBe(404);
  });

  it('publishes every webhook route in the OpenAPI document', () => {
    const doc = app.getOpenAPIDocument({ openapi: '3.0.3', info: { title: 't', version: '1' } });
    expect(Object.keys(doc.paths ?? {}).sort()).toEqual([
      '/v1/webhooks',
      '/v1/webhooks/{id}',
      '/v1/webhooks/{id}/deliveries',
      '/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver',
      '/v1/webhooks/{id}/test',
    ]);
    expect(doc.components?.schemas).toHaveProperty('CreatedWebhook');
    expect(doc.components?.schemas).toHaveProperty('WebhookDelivery');
  });

  const long = 'x'.repeat(65);
  const cases: Array<[string, string, string, unknown, number, string, RegExp?]> = [
    ['bad JSON', 'POST', '/v1/webhooks', '{"url": ', 400, 'invalid_json'],
    ['missing url', 'POST', '/v1/webhooks', {}, 400, 'validation_failed', /url/],
    ['url of the wrong type', 'POST', '/v1/webhooks', { url: 42 }, 400, 'validation_failed', /url/],
    ['empty url', 'POST', '/v1/webhooks', { url: '' }, 400, 'validation_failed', /url/],
    ['oversize url', 'POST', '/v1/webhooks', { url: `https://example.com/${'a'.repeat(2048)}` }, 400, 'validation_failed', /url/],
    ['unknown event type', 'POST', '/v1/webhooks', { url: 'https://a.example/', events: ['message.received', 'message.sent'] }, 400, 'validation_failed', /unknown event type 'message\.sent'/],
    ['events not a list', 'POST', '/v1/webhooks', { url: 'https://a.example/', events: 'message.received' }, 400, 'validation_failed', /events/],
    ['empty events list', 'POST', '/v1/webhooks', { url: 'https://a.example/', events: [] }, 400, 'validation_failed', /at least one/],
    ['unknown field', 'POST', '/v1/webhooks', { url: 'https://a.example/', secret: 'mine' }, 400, 'validation_failed', /secret/],
    ['description too long', 'POST', '/v1/webhooks', { url: 'https://a.example/', description: 'd'.repeat(501) }, 400, 'validation_failed', /description/],
    ['body an array', 'POST', '/v1/webhooks', [], 400, 'validation_failed'],
    ['ftp url', 'POST', '/v1/webhooks', { url: 'ftp://x' }, 400, 'validation_failed', /scheme/],
    ['credentials in url', 'POST', '/v1/webhooks', { url: 'http://user:pw@example.com' }, 400, 'validation_failed', /password/],
    ['loopback url', 'POST', '/v1/webhooks', { url: 'http://127.0.0.1' }, 400, 'private_url_refused', /loopback.*KIRIM_ALLOW_PRIVATE_URLS/],
    ['localhost url', 'POST', '/v1/webhooks', { url: 'http://localhost' }, 400, 'private_url_refused'],
    ['IPv6 loopback url', 'POST', '/v1/webhooks', { url: 'http://[::1]' }, 400, 'private_url_refused'],
    ['private url', 'POST', '/v1/webhooks', { url: 'http://10.1.2.3' }, 400, 'private_url_refused'],
    ['metadata url', 'POST', '/v1/webhooks', { url: 'http://169.254.169.254/latest' }, 400, 'private_url_refused'],
    ['mapped IPv6 loopback url', 'POST', '/v1/webhooks', { url: 'http://[::ffff:127.0.0.1]' }, 400, 'private_url_refused'],
    ['0.0.0.0 url', 'POST', '/v1/webhooks', { url: 'http://0.0.0.0' }, 400, 'private_url_refused'],
    ['unknown id', 'GET', '/v1/webhooks/whk_nope', undefined, 404, 'webhook_not_found'],
    ['oversize id', 'GET', `/v1/webhooks/${long}`, undefined, 400, 'validation_failed'],
    ['patch unknown id', 'PATCH', '/v1/webhooks/whk_nope', { description: 'x' }, 404, 'webhook_not_found'],
    ['patch bad JSON', 'PATCH', '/v1/webhooks/:hook', 'nope', 400, 'invalid_json'],
    ['patch enabled not boolean', 'PATCH', '/v1/webhooks/:hook', { enabled: 'yes' }, 400, 'validation_failed', /enabled/],
    ['patch unknown field', 'PATCH', '/v1/webhooks/:hook', { secret: 'x' }, 400, 'validation_failed', /secret/],
    ['patch unknown event type', 'PATCH', '/v1/webhooks/:hook', { events: ['nope'] }, 400, 'validation_failed', /unknown event type 'nope'/],
    ['patch private url', 'PATCH', '/v1/webhooks/:hook', { url: 'http://192.168.1.10/' }, 400, 'private_url_refused'],
    ['patch oversize url', 'PATCH', '/v1/webhooks/:hook', { url: `https://example.com/${'a'.repeat(2048)}` }, 400, 'validation_failed'],
    ['delete unknown id', 'DELETE', '/v1/webhooks/whk_nope', undefined, 404, 'webhook_not_found'],
    ['deliveries of unknown id', 'GET', '/v1/webhooks/whk_nope/deliveries', undefined, 404, 'webhook_not_found'],
    ['deliveries limit 0', 'GET', '/v1/webhooks/:hook/deliveries?limit=0', undefined, 400, 'validation_failed', /limit/],
    ['deliveries limit 101', 'GET', '/v1/webhooks/:hook/deliveries?limit=101', undefined, 400, 'validation_failed', /limit/],
    ['deliveries limit not a number', 'GET', '/v1/webhooks/:hook/deliveries?limit=ten', undefined, 400, 'validation_failed', /limit/],
    ['deliveries unknown status', 'GET', '/v1/webhooks/:hook/deliveries?status=lost', undefined, 400, 'validation_failed', /status/],
    ['redeliver unknown webhook', 'POST', '/v1/webhooks/whk_nope/deliveries/:delivery/redeliver', undefined, 404, 'webhook_not_found'],
    ['redeliver unknown delivery', 'POST', '/v1/webhooks/:hook/deliveries/whd_nope/redeliver', undefined, 404, 'delivery_not_found'],
    ['test unknown id', 'POST', '/v1/webhooks/whk_nope/test', undefined, 404, 'webhook_not_found'],
  ];

  it.each(cases)('%s → %s %s answers %i %s', async (_name, method, rawPath, body, status, code, message) => {
    const path = rawPath.replace(':hook', hookId).replace(':delivery', deliveryId);
    const res = await call(method, path, body);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(typeof res.body.error.message).toBe('string');
    if (message) expect(res.body.error.message).toMatch(message);
  });

  it('answers 401 without a valid key', async () => {
    expect((await call('GET', '/v1/webhooks', undefined, { authorization: 'Bearer wrong' })).body.error.code).toBe('unauthorized');
    const res = await app.request('/v1/webhooks', { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
  });
});
