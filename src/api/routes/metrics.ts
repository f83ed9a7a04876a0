import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app.js';
import { errorResponses, json } from '../schemas.js';

export interface MetricsProvider {
  read(reset: boolean): Promise<Record<string, unknown>>;
}

const MetricsSchema = z
  .object({
    node: z.string(),
    memory: z.object({ rssBytes: z.number(), heapUsedBytes: z.number(), heapTotalBytes: z.number(), externalBytes: z.number(), arrayBuffersBytes: z.number() }),
    eventLoop: z.object({ p50Ms: z.number(), p99Ms: z.number(), maxMs: z.number(), meanMs: z.number(), sinceMs: z.number() }),
    sessions: z.object({ live: z.number(), byStatus: z.record(z.string(), z.number()) }),
    stateStore: z.record(z.string(), z.unknown()),
    restore: z.record(z.string(), z.unknown()).nullable(),
    uptimeSeconds: z.number(),
  })
  .openapi('Metrics');

export function metricsRoutes(app: App, metrics: MetricsProvider): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/metrics',
      tags: ['Health'],
      summary: "This node's memory, event-loop delay (since the last reset), sessions by status and state-store backlog",
      request: { query: z.object({ reset: z.enum(['0', '1']).optional().openapi({ description: '1: start a new event-loop delay window after reading' }) }) },
      responses: { 200: json(MetricsSchema, 'Metrics'), ...errorResponses(400, 401) },
    }),
    async (c) => c.json((await metrics.read(c.req.valid('query').reset === '1')) as z.infer<typeof MetricsSchema>, 200),
  );
}
