import net from 'node:net';
import { OpenAPIHono } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthEnv } from '../../src/api/auth.js';
import { onError, sendError, validationHook } from '../../src/api/errors.js';
import { silentLogger } from '../../src/core/logger.js';
import { sandboxRoutes, type SandboxInfo } from '../../src/api/routes/sandbox.js';
import { startTestSim, type TestSim } from '../support/sim.js';

/** The sandbox part of the HTTP app, shaped like createApp's (validation hook, JSON 404, /openapi.json). */
function appWith(sandbox: SandboxInfo | undefined) {
  const app = new OpenAPIHono<AuthEnv>({ defaultHook: validationHook });
  app.onError(onError(silentLogger));
  app.notFound((c) => sendError(c, 'not_found', `no route for ${c.req.method} ${c.req.path}`));
  sandboxRoutes(app, sandbox);
  app.doc('/openapi.json', { openapi: '3.0.3', info: { title: 'kirim', version: 'test' } });
  return app;
}

async function call(app: ReturnType<typeof appWith>, method: string, path: string, body?: unknown) {
  const res = await app.request(path, {
    method,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** What the dashboard and CONTRACT §4 use: each one is declared, nothing else is passed through. */
const DECLARED = [
  ['get', '/v1/sandbox/admin/root-key'],
  ['get', '/v1/sandbox/admin/stats'],
  ['get', '/v1/sandbox/admin/accounts'],
  ['post', '/v1/sandbox/admin/scan'],
  ['post', '/v1/sandbox/admin/pairing-code'],
  ['post', '/v1/sandbox/admin/contacts/{phone}/send'],
  ['get', '/v1/sandbox/admin/contacts/{phone}/inbox'],
  ['post', '/v1/sandbox/admin/contacts/{phone}/read'],
  ['post', '/v1/sandbox/admin/accounts/{phone}/logout'],
  ['post', '/v1/sandbox/admin/accounts/{phone}/drop'],
] as const;

describe('sandbox API (/v1/sandbox/admin/* in front of a real simulator)', () => {
  let sim: TestSim;
  let app: ReturnType<typeof appWith>;

  beforeAll(async () => {
    sim = await startTestSim();
    app = appWith({ url: sim.sim.url });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('says it is on, and forwards the declared calls to the simulator', async () => {
    expect((await call(app, 'GET', '/v1/sandbox')).body).toEqual({ enabled: true, url: sim.sim.url });
    const stats = await call(app, 'GET', '/v1/sandbox/admin/stats');
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({ connections: 0, handshakes: 0, conflicts: 0 });
    expect(await call(app, 'GET', '/v1/sandbox/admin/accounts')).toEqual({ status: 200, body: { accounts: [] } });
    const key = await call(app, 'GET', '/v1/sandbox/admin/root-key');
    expect(key.body.publicKey).toBe((await sim.admin('GET', '/admin/root-key')).body.publicKey);
    expect(await call(app, 'GET', '/v1/sandbox/admin/contacts/15550001111/inbox')).toEqual({ status: 200, body: { messages: [] } });
  });

  it("passes the simulator's own refusals through (status and words)", async () => {
    const send = await call(app, 'POST', '/v1/sandbox/admin/contacts/15550001111/send', { to: '15550002222', text: 'hi' });
    expect(send.status).toBe(404);
    expect(send.body.error.code).toBe('account_not_found');
    const scan = await call(app, 'POST', '/v1/sandbox/admin/scan', { qr: 'not-a-qr' });
    expect(scan.status).toBe(400);
    expect(scan.body.error.code).toBe('invalid_qr');
  });

  it.each([
    ['a scan without qr', 'POST', '/v1/sandbox/admin/scan', {}, 'qr'],
    ['a scan with an unknown field', 'POST', '/v1/sandbox/admin/scan', { qr: 'x', colour: 'blue' }, 'colour'],
    ['a scan by a phone with letters', 'POST', '/v1/sandbox/admin/scan', { qr: 'x', phone: '+1555abc' }, 'phone'],
    ['a send from a non-phone', 'POST', '/v1/sandbox/admin/contacts/abc/send', { to: '15550002222', text: 'hi' }, 'phone'],
    ['a send without text', 'POST', '/v1/sandbox/admin/contacts/15550001111/send', { to: '15550002222' }, 'text'],
    ['a read with ids that are not a list', 'POST', '/v1/sandbox/admin/contacts/15550001111/read', { messageIds: 'x' }, 'messageIds'],
    ['an inbox of a non-phone', 'GET', '/v1/sandbox/admin/contacts/12ab/inbox', undefined, 'phone'],
    ['a logout of a non-phone', 'POST', '/v1/sandbox/admin/accounts/x1/logout', undefined, 'phone'],
  ])('refuses %s itself, with a 400 naming the field', async (_what, method, path, body, field) => {
    const res = await call(app, method, path, body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed'); // the gateway's code; the simulator's would be missing_field/invalid_*
    expect(res.body.error.message).toContain(field);
  });

  it('refuses bad JSON with a 400', async () => {
    const res = await call(app, 'POST', '/v1/sandbox/admin/scan', '{"qr": ');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_json');
  });

  it('passes nothing else through: other simulator paths and methods are a 404 that lists what exists', async () => {
    expect((await sim.admin('GET', '/admin/health')).status).toBe(200); // the simulator has it…
    for (const [method, path] of [
      ['GET', '/v1/sandbox/admin/health'],
      ['GET', '/v1/sandbox/admin/scan'],
      ['DELETE', '/v1/sandbox/admin/accounts'],
      ['GET', '/v1/sandbox/admin/contacts/15550001111/outbox'],
      ['GET', '/v1/sandbox/admin/../admin/health'],
    ]) {
      const res = await call(app, method, path);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.message, `${method} ${path}`).toMatch(/not part of the sandbox API|no route/);
    }
    const listed = (await call(app, 'GET', '/v1/sandbox/admin/health')).body.error.message;
    expect(listed).toContain('POST /scan');
    expect(listed).toContain('GET /contacts/{phone}/inbox');
  });

  it('documents every call in /openapi.json with its schemas, and no catch-all', async () => {
    const doc = (await call(app, 'GET', '/openapi.json')).body;
    const paths = Object.keys(doc.paths).filter((p) => p.startsWith('/v1/sandbox/admin'));
    expect(paths.sort()).toEqual([...new Set(DECLARED.map(([, p]) => p))].sort());
    for (const [method, path] of DECLARED) {
      const op = doc.paths[path][method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op.responses['200'].content['application/json'].schema, `${method} ${path}`).toBeDefined();
      expect(op.responses['401'], `${method} ${path}`).toBeDefined();
      if (path.includes('{phone}')) expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(['phone']);
    }
    for (const [path, schema] of [
      ['/v1/sandbox/admin/scan', 'SandboxScan'],
      ['/v1/sandbox/admin/pairing-code', 'SandboxPairingCode'],
      ['/v1/sandbox/admin/contacts/{phone}/send', 'SandboxContactSend'],
      ['/v1/sandbox/admin/contacts/{phone}/read', 'SandboxContactRead'],
    ]) {
      expect(doc.paths[path].post.requestBody.content['application/json'].schema.$ref).toBe(`#/components/schemas/${schema}`);
    }
    expect(Object.keys(doc.components.schemas.SandboxStats.properties)).toEqual(expect.arrayContaining(['connections', 'handshakes', 'conflicts', 'messages']));
  });

  it('answers 503 in words when the simulator does not answer', async () => {
    const port = await closedPort();
    const down = appWith({ url: `http://127.0.0.1:${port}` });
    const res = await call(down, 'GET', '/v1/sandbox/admin/stats');
    expect(res.status).toBe(503);
    expect(res.body.error.message).toContain(`the simulator at http://127.0.0.1:${port} did not answer`);
  });
});

describe('sandbox API with the sandbox off', () => {
  const app = appWith(undefined);

  it('says it is off, and every admin call is a 404 that says how to turn it on', async () => {
    expect(await call(app, 'GET', '/v1/sandbox')).toEqual({ status: 200, body: { enabled: false, url: null } });
    for (const [method, path, body] of [
      ['GET', '/v1/sandbox/admin/stats', undefined],
      ['POST', '/v1/sandbox/admin/scan', {}], // even a bad body: the sandbox being off is the news
      ['POST', '/v1/sandbox/admin/contacts/15550001111/send', { to: '6281200000001', text: 'hi' }],
      ['GET', '/v1/sandbox/admin/health', undefined],
    ] as const) {
      const res = await call(app, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error).toEqual({ code: 'not_found', message: expect.stringContaining('sandbox mode is off') });
      expect(res.body.error.message).toContain('KIRIM_SANDBOX=1');
    }
  });
});

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
