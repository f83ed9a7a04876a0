import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app.js';
import { EVENT_TYPES } from '../../core/events.js';
import { MAX_URL_LENGTH, type WebhookService } from '../../webhooks/index.js';
import { errorResponses, json } from '../schemas.js';

const tags = ['Webhooks'];

const EventTypeName = z
  .enum(EVENT_TYPES, { error: (issue) => `unknown event type '${String(issue.input)}' (known: ${EVENT_TYPES.join(', ')})` })
  .openapi({ example: 'message.received' });

const Url = z
  .string()
  .min(1)
  .max(MAX_URL_LENGTH)
  .openapi({ example: 'https://example.com/kirim-hook', description: 'http(s) URL of a public host (private networks need KIRIM_ALLOW_PRIVATE_URLS=1)' });
const Events = z
  .array(EventTypeName)
  .min(1, 'list at least one event type, or leave events out (or null) for every type')
  .max(EVENT_TYPES.length * 2)
  .nullable()
  .openapi({ description: 'Event types to deliver; omitted or null = every type' });
const Description = z.string().max(500).nullable();

const CreateBody = z.object({ url: Url, events: Events.optional(), description: Description.optional() }).strict().openapi('CreateWebhook');

const UpdateBody = z
  .object({
    url: Url.optional(),
    events: Events.optional(),
    description: Description.optional(),
    enabled: z.boolean().optional().openapi({ description: 'true re-enables a webhook disabled by a 410 Gone; its parked deliveries resume' }),
  })
  .strict()
  .openapi('UpdateWebhook');

const WebhookSchema = z
  .object({
    id: z.string().openapi({ example: 'whk_01jd3k5m7q8r9s0t1v2w3x4y5z' }),
    url: z.string(),
    events: z.array(EventTypeName).nullable().openapi({ description: 'null = every event type' }),
    description: z.string().nullable(),
    enabled: z.boolean(),
    disabledReason: z.string().nullable(),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Webhook');

const CreatedSchema = WebhookSchema.extend({
  secret: z.string().openapi({ description: 'Signing secret (Standard Webhooks, whsec_…). Shown only here.', example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }),
}).openapi('CreatedWebhook');

const DELIVERY_STATUSES = ['pending', 'delivering', 'delivered', 'failed'] as const;

const DeliverySchema = z
  .object({
    id: z.string(),
    webhookId: z.string(),
    eventId: z.string().openapi({ description: 'Sent as webhook-id, the same on every attempt' }),
    eventType: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable().openapi({ format: 'date-time', description: 'null when finished, or parked while the webhook is disabled' }),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
    deliveredAt: z.string().nullable().openapi({ format: 'date-time' }),
  })
  .openapi('WebhookDelivery');

const id = (name: string) => z.string().min(1).max(64).openapi({ param: { name, in: 'path' } });
const IdParam = z.object({ id: id('id') });
const DeliveryParam = z.object({ id: id('id'), deliveryId: id('deliveryId') });

const DeliveriesQuery = z
  .object({
    status: z.enum(DELIVERY_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(100).optional().openapi({ description: 'Page size (default 20)' }),
    cursor: z.string().min(1).max(64).optional().openapi({ description: 'nextCursor of the previous page' }),
  });

const body = <T extends z.ZodTypeAny>(schema: T) => ({ content: { 'application/json': { schema } }, required: true });

export function webhookRoutes(app: App, webhooks: WebhookService): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/webhooks',
      tags,
      summary: 'Register a webhook; the answer holds its signing secret (shown only once)',
      request: { body: body(CreateBody) },
      responses: { 201: json(CreatedSchema, 'The new webhook and its secret'), ...errorResponses(400, 401, 413) },
    }),
    async (c) => c.json(await webhooks.create(c.get('principal').workspaceId, c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/webhooks',
      tags,
      summary: 'List webhooks (without secrets)',
      responses: { 200: json(z.object({ webhooks: z.array(WebhookSchema) }), 'The webhooks of the workspace'), ...errorResponses(401) },
    }),
    async (c) => c.json({ webhooks: await webhooks.list(c.get('principal').workspaceId) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/webhooks/{id}',
      tags,
      summary: 'Get a webhook',
      request: { params: IdParam },
      responses: { 200: json(WebhookSchema, 'The webhook'), ...errorResponses(400, 401, 404) },
    }),
    async (c) => c.json(await webhooks.get(c.get('principal').workspaceId, c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/v1/webhooks/{id}',
      tags,
      summary: 'Change a webhook; {"enabled": true} re-enables one disabled by a 410 Gone',
      request: { params: IdParam, body: body(UpdateBody) },
      responses: { 200: json(WebhookSchema, 'The webhook'), ...errorResponses(400, 401, 404, 413) },
    }),
    async (c) => c.json(await webhooks.update(c.get('principal').workspaceId, c.req.valid('param').id, c.req.valid('json')), 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/webhooks/{id}',
      tags,
      summary: 'Delete a webhook; its queued deliveries are dropped',
      request: { params: IdParam },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 401, 404) },
    }),
    async (c) => {
      await webhooks.delete(c.get('principal').workspaceId, c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/webhooks/{id}/deliveries',
      tags,
      summary: 'Deliveries of a webhook, newest first',
      request: { params: IdParam, query: DeliveriesQuery },
      responses: {
        200: json(z.object({ deliveries: z.array(DeliverySchema), nextCursor: z.string().nullable() }).openapi('WebhookDeliveries'), 'A page of deliveries'),
        ...errorResponses(400, 401, 404),
      },
    }),
    async (c) => c.json(await webhooks.listDeliveries(c.get('principal').workspaceId, c.req.valid('param').id, c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver',
      tags,
      summary: 'Send a delivery again now (same webhook-id, fresh retry schedule)',
      request: { params: DeliveryParam },
      responses: { 202: json(DeliverySchema, 'Queued'), ...errorResponses(400, 401, 404, 409) },
    }),
    async (c) => {
      const p = c.req.valid('param');
      return c.json(await webhooks.redeliver(c.get('principal').workspaceId, p.id, p.deliveryId), 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/webhooks/{id}/test',
      tags,
      summary: 'Queue a signed webhook.test ping to the endpoint',
      request: { params: IdParam },
      responses: { 202: json(DeliverySchema, 'Queued'), ...errorResponses(400, 401, 404, 409) },
    }),
    async (c) => c.json(await webhooks.test(c.get('principal').workspaceId, c.req.valid('param').id), 202),
  );
}
