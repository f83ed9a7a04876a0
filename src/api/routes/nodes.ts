import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app.js';
import { errorResponses, json } from '../schemas.js';
import type { NodeDirectory } from '../../cluster/node-directory.js';

export const NodeSchema = z
  .object({
    id: z.string(),
    url: z.string().nullable(),
    region: z.string().nullable(),
    status: z.enum(['active', 'draining', 'dead']),
    sessions: z.number().int(),
    capacity: z.number().int(),
    lastHeartbeat: z.string().openapi({ format: 'date-time' }),
    labels: z.record(z.string(), z.string()).optional(),
  })
  .openapi('Node');

export type { NodeDirectory };

const IdParam = z.object({ id: z.string().min(1).max(64).openapi({ param: { name: 'id', in: 'path' } }) });

export function nodeRoutes(app: App, nodes: NodeDirectory): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/nodes',
      tags: ['Cluster'],
      summary: 'Gateway nodes (one entry, this process, on the embedded default)',
      responses: { 200: json(z.object({ nodes: z.array(NodeSchema) }), 'Nodes'), ...errorResponses(401) },
    }),
    async (c) => c.json({ nodes: await nodes.list() }, 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/nodes/{id}/drain',
      tags: ['Cluster'],
      summary: "Move the node's sessions to other nodes without a re-scan, then mark it draining",
      request: { params: IdParam },
      responses: { 200: json(NodeSchema, 'The node'), ...errorResponses(401, 404, 409) },
    }),
    async (c) => c.json(await nodes.drain(c.req.valid('param').id), 200),
  );
}
