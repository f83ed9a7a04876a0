import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app.js';

export interface HealthReport {
  status: 'ok' | 'degraded';
  [key: string]: unknown;
}

export interface HealthProvider {
  /** Liveness plus what an operator wants at a glance (store backlog, sessions, node). */
  report(): Promise<HealthReport>;
  /** Readiness: false while starting up or when the database is unreachable. */
  ready(): Promise<{ ready: boolean; reason?: string }>;
}

export function healthRoutes(app: App, health: HealthProvider): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/healthz',
      tags: ['Health'],
      summary: 'Liveness (no auth): {"status":"ok"} plus state-store backlog and session counts',
      security: [],
      responses: {
        200: { description: 'Alive', content: { 'application/json': { schema: z.object({ status: z.enum(['ok', 'degraded']) }).passthrough() } } },
      },
    }),
    async (c) => c.json(await health.report(), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/readyz',
      tags: ['Health'],
      summary: 'Readiness (no auth): 200 when this node can serve, 503 otherwise',
      security: [],
      responses: {
        200: { description: 'Ready', content: { 'application/json': { schema: z.object({ ready: z.boolean(), reason: z.string().optional() }) } } },
        503: { description: 'Not ready', content: { 'application/json': { schema: z.object({ ready: z.boolean(), reason: z.string().optional() }) } } },
      },
    }),
    async (c) => {
      const r = await health.ready();
      return c.json(r, r.ready ? 200 : 503);
    },
  );
}
