import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { serve, type ServerType } from '@hono/node-server';
import type { AuthEnv } from './auth.js';
import { ANSWERED_BY_HEADER, FORWARDED_HEADER, forwardToOwner, type SessionRouter } from './forwarding.js';
import { closedPort } from '../webhooks/testing/receiver.js';

interface Seen {
  method: string;
  path: string;
  search: string;
  forwardedBy: string | undefined;
  auth: string | undefined;
  type: string | undefined;
  body: string;
}

/** A gateway node reduced to the forwarding middleware and an echo of what reached its handlers. */
class TestNode {
  readonly seen: Seen[] = [];
  routeCalls = 0;
  owner: Awaited<ReturnType<SessionRouter['route']>> = null;
  url = '';
  private server?: ServerType;

  constructor(readonly id: string) {}

  async listen(): Promise<void> {
    const app = new Hono<AuthEnv>();
    const router: SessionRouter = {
      nodeId: this.id,
      route: async () => {
        this.routeCalls++;
        return this.owner;
      },
    };
    app.use('/v1/sessions/*', forwardToOwner(router));
    app.all('*', async (c) => {
      const url = new URL(c.req.url);
      this.seen.push({
        method: c.req.method,
        path: url.pathname,
        search: url.search,
        forwardedBy: c.req.header(FORWARDED_HEADER),
        auth: c.req.header('authorization'),
        type: c.req.header('content-type'),
        body: await c.req.text(),
      });
      if (c.req.method === 'DELETE') return c.body(null, 204);
      return c.json({ answeredBy: this.id }, 201, { 'x-echo': 'kept' });
    });
    await new Promise<void>((resolve) => {
      this.server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
        this.url = `http://127.0.0.1:${info.port}`;
        resolve();
      });
    });
  }

  call(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(this.url + path, { method, body, headers: { authorization: 'Bearer k', ...(body ? { 'content-type': 'application/json' } : {}), ...headers } });
  }

  reset(): void {
    this.seen.length = 0;
    this.routeCalls = 0;
  }

  close(): Promise<void> {
    return new Promise((r) => this.server!.close(() => r()));
  }
}

describe('forwarding calls to the node that owns the session', () => {
  const a = new TestNode('node-a');
  const b = new TestNode('node-b');

  beforeAll(async () => {
    await a.listen();
    await b.listen();
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });
  const reset = () => {
    a.reset();
    b.reset();
    a.owner = { url: b.url, nodeId: 'node-b' };
    b.owner = null; // b owns it: answers itself
  };

  it.each([
    ['GET', '/v1/sessions/s1'],
    ['GET', '/v1/sessions/s1/messages?chat=62811&limit=5'],
    ['PATCH', '/v1/sessions/s1'],
    ['GET', '/v1/nodes'],
    ['GET', '/v1/sessions'],
  ])('%s %s is answered from the database here, not forwarded', async (method, path) => {
    reset();
    const res = await a.call(method, path, method === 'PATCH' ? '{"name":"x"}' : undefined);
    expect(await res.json()).toEqual({ answeredBy: 'node-a' });
    expect(res.headers.get(ANSWERED_BY_HEADER)).toBeNull();
    expect(b.seen).toEqual([]);
    expect(a.routeCalls).toBe(0);
  });

  it.each([
    ['GET', '/v1/sessions/s1/qr?format=raw', undefined],
    ['POST', '/v1/sessions/s1/pairing-code', '{"phone":"6281234567890"}'],
    ['POST', '/v1/sessions/s1/start', undefined],
    ['POST', '/v1/sessions/s1/stop', undefined],
    ['POST', '/v1/sessions/s1/logout', undefined],
    ['POST', '/v1/sessions/s1/messages', '{"to":"6281","text":"hé ✓"}'],
  ])('%s %s goes to the owner once, intact, and says who answered', async (method, path, body) => {
    reset();
    const res = await a.call(method, path, body);
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ answeredBy: 'node-b' });
    expect(res.headers.get(ANSWERED_BY_HEADER)).toBe('node-b');
    expect(res.headers.get('x-echo')).toBe('kept');
    expect(a.seen).toEqual([]);
    const url = new URL(path, 'http://x');
    expect(b.seen).toEqual([
      { method, path: url.pathname, search: url.search, forwardedBy: 'node-a', auth: 'Bearer k', type: body ? 'application/json' : undefined, body: body ?? '' },
    ]);
  });

  it('DELETE is forwarded too, and the owner’s status (204, no body) comes back as it is', async () => {
    reset();
    const res = await a.call('DELETE', '/v1/sessions/s1');
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(res.headers.get(ANSWERED_BY_HEADER)).toBe('node-b');
    expect(b.seen.map((s) => [s.method, s.forwardedBy])).toEqual([['DELETE', 'node-a']]);
  });

  it('loop guard: when two nodes each think the other owns the session, a request crosses once and is answered there', async () => {
    reset();
    b.owner = { url: a.url, nodeId: 'node-a' }; // stale views on both sides
    const res = await a.call('GET', '/v1/sessions/s1/qr');
    expect(await res.json()).toEqual({ answeredBy: 'node-b' });
    expect([a.routeCalls, b.routeCalls]).toEqual([1, 0]); // b did not even ask: a forwarded request is answered where it lands
    expect(a.seen).toEqual([]);
    expect(b.seen).toHaveLength(1);
  });

  it('a request that already carries the forwarded header is answered here whatever the router says', async () => {
    reset();
    const res = await a.call('POST', '/v1/sessions/s1/stop', undefined, { [FORWARDED_HEADER]: 'node-c' });
    expect(await res.json()).toEqual({ answeredBy: 'node-a' });
    expect([a.routeCalls, b.seen.length]).toEqual([0, 0]);
  });

  it('owner down: calls that need the live connection answer 503 with Retry-After naming the node; stop, logout and DELETE are done here', async () => {
    reset();
    a.owner = { down: 'node-b' };
    for (const [method, path] of [
      ['GET', '/v1/sessions/s1/qr'],
      ['POST', '/v1/sessions/s1/pairing-code'],
      ['POST', '/v1/sessions/s1/start'],
      ['POST', '/v1/sessions/s1/messages'],
    ]) {
      const res = await a.call(method, path, method === 'POST' ? '{}' : undefined);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('2');
      const body = (await res.json()) as { error: unknown };
      expect(body.error).toMatchObject({ code: 'unavailable', message: expect.stringContaining('node-b') });
    }
    for (const [method, path] of [
      ['POST', '/v1/sessions/s1/stop'],
      ['POST', '/v1/sessions/s1/logout'],
      ['DELETE', '/v1/sessions/s1'],
    ]) {
      const res = await a.call(method, path);
      expect(res.status).toBeLessThan(300);
    }
    expect(a.seen.map((s) => `${s.method} ${s.path}`)).toEqual(['POST /v1/sessions/s1/stop', 'POST /v1/sessions/s1/logout', 'DELETE /v1/sessions/s1']);
    expect(b.seen).toEqual([]);
  });

  it('owner unreachable (nothing listens at its URL): 503 with Retry-After naming the node, not a 5xx crash', async () => {
    reset();
    a.owner = { url: `http://127.0.0.1:${await closedPort()}`, nodeId: 'node-b' };
    const res = await a.call('GET', '/v1/sessions/s1/qr');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(((await res.json()) as { error: unknown }).error).toMatchObject({ code: 'unavailable', message: expect.stringContaining('node-b') });
  });
});
