import fs from 'node:fs';
import path from 'node:path';
import { OpenAPIHono } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthEnv } from '../../src/api/auth.js';
import { staticSite } from '../../src/api/static-site.js';
import { tempDir } from '../support/temp-dir.js';

/** An app shaped like createApp's: API routes first, the static site last, a JSON 404. */
function appWith(distDir: string) {
  const app = new OpenAPIHono<AuthEnv>();
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `no route for ${c.req.method} ${c.req.path}` } }, 404));
  app.use('/v1/*', async (c, next) => {
    if (c.req.header('authorization') !== 'Bearer k') return c.json({ error: { code: 'unauthorized', message: 'invalid API key' } }, 401);
    await next();
  });
  app.get('/v1/sessions', (c) => c.json({ sessions: [] }));
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/openapi.json', (c) => c.json({ openapi: '3.0.3' }));
  staticSite(distDir)(app);
  return app;
}

describe('staticSite (the dashboard at /)', () => {
  let dir: ReturnType<typeof tempDir>;
  let app: ReturnType<typeof appWith>;
  const INDEX = '<!doctype html><html><body><div id="root"></div><script type="module" src="/assets/index-AbCdEf12.js"></script></body></html>';

  beforeAll(() => {
    dir = tempDir('kirim-dist-');
    fs.mkdirSync(path.join(dir.dir, 'assets'));
    fs.writeFileSync(path.join(dir.dir, 'index.html'), INDEX);
    fs.writeFileSync(path.join(dir.dir, 'assets/index-AbCdEf12.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dir.dir, 'assets/index-Zx9_Yw-8.css'), 'body{}');
    fs.writeFileSync(path.join(dir.dir, 'favicon.svg'), '<svg/>');
    app = appWith(dir.dir);
  });
  afterAll(() => dir.cleanup());

  it('serves index.html at / with no-cache and security headers', async () => {
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(await res.text()).toBe(INDEX);
  });

  it('serves hashed assets with their content type, cached for a year', async () => {
    const js = await app.request('/assets/index-AbCdEf12.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toBe('console.log(1)');
    const css = await app.request('/assets/index-Zx9_Yw-8.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(css.headers.get('cache-control')).toContain('immutable');
    const svg = await app.request('/favicon.svg');
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(svg.headers.get('cache-control')).toBe('public, max-age=3600');
  });

  it('answers If-None-Match with 304', async () => {
    const first = await app.request('/');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const again = await app.request('/', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('falls back to index.html for the app’s own routes', async () => {
    for (const p of ['/devices', '/inbox/ses_1/6281234567890%40s.whatsapp.net', '/webhooks/whk_1']) {
      const res = await app.request(p);
      expect(res.status, p).toBe(200);
      expect(await res.text(), p).toBe(INDEX);
    }
  });

  it('never shadows the API: /v1, /healthz, /readyz and /openapi.json keep their answers', async () => {
    expect((await app.request('/v1/sessions', { headers: { authorization: 'Bearer k' } })).status).toBe(200);
    const unauth = await app.request('/v1/sessions');
    expect(unauth.status).toBe(401);
    const missing = await app.request('/v1/nothing-here', { headers: { authorization: 'Bearer k' } });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
    expect((await app.request('/v1')).status).toBe(401);
    expect(await (await app.request('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await app.request('/readyz')).status).toBe(404);
    expect(await (await app.request('/openapi.json')).json()).toEqual({ openapi: '3.0.3' });
    expect((await app.request('/devices', { method: 'POST' })).status).toBe(404);
  });

  it('answers 404 for missing files instead of the app, and refuses to leave the folder', async () => {
    expect((await app.request('/assets/gone-12345678.js')).status).toBe(404);
    expect((await app.request('/robots.txt')).status).toBe(404);
    const outside = await app.request('/..%2f..%2fetc%2fpasswd');
    expect(await outside.text()).not.toContain('root:');
    const dotdot = await app.request('/assets/..%2f..%2f..%2fpackage.json');
    expect(dotdot.status).toBe(404);
  });

  it('says how to build the dashboard when web/dist is missing', async () => {
    const empty = tempDir('kirim-nodist-');
    try {
      const res = await appWith(path.join(empty.dir, 'dist')).request('/');
      expect(res.status).toBe(503);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.text()).toContain('npm run build:web');
      expect((await appWith(path.join(empty.dir, 'dist')).request('/assets/x-12345678.js')).status).toBe(404);
    } finally {
      empty.cleanup();
    }
  });
});
