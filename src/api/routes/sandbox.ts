import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app.js';
import { sendError } from '../errors.js';
import { json } from '../schemas.js';

export interface SandboxInfo {
  url: string;
}

const PROXY_TIMEOUT_MS = 15_000;

/**
 * Sandbox mode only: whether the simulator is on, and its admin API under the gateway's own
 * origin and auth (`/v1/sandbox/admin/...` → `<sim>/admin/...`), so the dashboard needs no CORS
 * and no second credential.
 */
export function sandboxRoutes(app: App, sandbox: SandboxInfo | undefined): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/sandbox',
      tags: ['Sandbox'],
      summary: 'Whether sessions talk to the WhatsApp simulator (sandbox mode)',
      responses: { 200: json(z.object({ enabled: z.boolean(), url: z.string().nullable() }).openapi('SandboxInfo'), 'Sandbox mode') },
    }),
    (c) => c.json({ enabled: !!sandbox, url: sandbox?.url ?? null }, 200),
  );

  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/v1/sandbox/admin/{path}',
    tags: ['Sandbox'],
    summary: "The simulator's admin API (CONTRACT §4), proxied; GET and POST, e.g. /v1/sandbox/admin/scan",
    request: { params: z.object({ path: z.string() }) },
    responses: { 200: { description: "The simulator's answer" }, 404: { description: 'Sandbox mode is off' } },
  });

  app.all('/v1/sandbox/admin/*', async (c) => {
    if (!sandbox) return sendError(c, 'not_found', 'sandbox mode is off: start the gateway with KIRIM_SANDBOX=1 or KIRIM_SANDBOX_URL');
    const rest = c.req.path.slice('/v1/sandbox'.length);
    const query = new URL(c.req.url).search;
    const method = c.req.method;
    const body = method === 'GET' || method === 'HEAD' ? undefined : await c.req.arrayBuffer();
    let res: Response;
    try {
      res = await fetch(`${sandbox.url}${rest}${query}`, {
        method,
        body,
        headers: { 'content-type': c.req.header('content-type') ?? 'application/json' },
        signal: AbortSignal.timeout(PROXY_TIMEOUT_MS),
      });
    } catch (err) {
      return sendError(c, 'unavailable', `the simulator at ${sandbox.url} did not answer: ${(err as Error).message}`);
    }
    return new Response(await res.arrayBuffer(), {
      status: res.status,
      headers: { 'content-type': res.headers.get('content-type') ?? 'application/json' },
    });
  });
}
