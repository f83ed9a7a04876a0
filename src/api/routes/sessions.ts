import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app.js';
import type { SessionService } from '../../sessions/index.js';
import { SessionIdParam, SessionSchema, errorResponses, json } from '../schemas.js';

const tags = ['Sessions'];

const CreateBody = z
  .object({
    name: z.string().max(100).optional().openapi({ example: 'Sales line' }),
    region: z.string().min(1).max(64).optional().openapi({ description: 'Cluster: preferred region of the node that runs it', example: 'eu' }),
    labels: z
      .record(z.string().min(1).max(64), z.string().max(128))
      .optional()
      .openapi({ description: 'Cluster: labels a node must carry to run it (egress/proxy groups)', example: { egress: 'proxy-a' } }),
  })
  .strict()
  .openapi('CreateSession');

const RenameBody = z.object({ name: z.string().min(1).max(100) }).strict().openapi('RenameSession');

const QrSchema = z
  .object({
    qr: z.string().openapi({ description: 'The exact string the WhatsApp client library emitted (encode it as a QR code)' }),
    expiresAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Qr');

const PairingBody = z
  .object({
    phone: z
      .string()
      .regex(/^[0-9]{7,15}$/, 'must be the phone number as 7 to 15 digits, country code first, no +')
      .openapi({ example: '6281234567890' }),
  })
  .strict()
  .openapi('PairingCodeRequest');

export function sessionRoutes(app: App, sessions: SessionService): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/sessions',
      tags,
      summary: 'Create a session; it starts at once and shows a QR code',
      request: { body: { content: { 'application/json': { schema: CreateBody } }, required: false } },
      responses: { 201: json(SessionSchema, 'The new session'), ...errorResponses(400, 401, 413) },
    }),
    async (c) => {
      const text = await c.req.text();
      let body: unknown = {};
      if (text.trim()) body = JSON.parse(text);
      const parsed = CreateBody.safeParse(body);
      if (!parsed.success) {
        const i = parsed.error.issues[0];
        return c.json({ error: { code: 'validation_failed', message: `${i.path.join('.') || 'body'}: ${i.message}` } }, 400) as never;
      }
      const s = await sessions.create(c.get('principal').workspaceId, parsed.data);
      return c.json(s, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/sessions',
      tags,
      summary: 'List sessions',
      responses: { 200: json(z.object({ sessions: z.array(SessionSchema) }), 'All sessions of the workspace'), ...errorResponses(401) },
    }),
    async (c) => c.json({ sessions: await sessions.list(c.get('principal').workspaceId) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/sessions/{id}',
      tags,
      summary: 'Get a session',
      request: { params: SessionIdParam },
      responses: { 200: json(SessionSchema, 'The session'), ...errorResponses(401, 404) },
    }),
    async (c) => c.json(await sessions.get(c.get('principal').workspaceId, c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/v1/sessions/{id}',
      tags,
      summary: 'Rename a session',
      request: { params: SessionIdParam, body: { content: { 'application/json': { schema: RenameBody } }, required: true } },
      responses: { 200: json(SessionSchema, 'The session'), ...errorResponses(400, 401, 404) },
    }),
    async (c) => c.json(await sessions.rename(c.get('principal').workspaceId, c.req.valid('param').id, c.req.valid('json').name), 200),
  );

  for (const verb of ['start', 'stop', 'logout'] as const) {
    const summary = {
      start: 'Start (or restart) a session; a logged-out session shows a new QR code',
      stop: 'Stop a session; it stays linked and is not reconnected until started',
      logout: 'Unlink the device from the phone (connecting briefly if it is not connected) and forget its credentials',
    }[verb];
    app.openapi(
      createRoute({
        method: 'post',
        path: `/v1/sessions/{id}/${verb}`,
        tags,
        summary,
        request: { params: SessionIdParam },
        responses: { 200: json(SessionSchema, 'The session'), ...errorResponses(401, 404, 409) },
      }),
      async (c) => c.json(await sessions[verb](c.get('principal').workspaceId, c.req.valid('param').id), 200),
    );
  }

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/sessions/{id}',
      tags,
      summary: 'Delete a session and its stored state (unlinks the device from the phone first, connecting briefly if it is not connected)',
      request: { params: SessionIdParam },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 404) },
    }),
    async (c) => {
      await sessions.delete(c.get('principal').workspaceId, c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/sessions/{id}/qr',
      tags,
      summary: 'The current QR code (JSON, or a PNG with Accept: image/png)',
      request: { params: SessionIdParam },
      responses: {
        200: {
          description: 'The QR code',
          content: { 'application/json': { schema: QrSchema }, 'image/png': { schema: z.string().openapi({ format: 'binary' }) } },
        },
        ...errorResponses(401, 404, 409),
      },
    }),
    async (c) => {
      const ws = c.get('principal').workspaceId;
      const { id } = c.req.valid('param');
      const accept = c.req.header('accept') ?? '';
      if (/image\/png/i.test(accept) && !/application\/json/i.test(accept)) {
        const png = await sessions.qrPng(ws, id);
        return c.body(new Uint8Array(png), 200, { 'content-type': 'image/png', 'cache-control': 'no-store' }) as never;
      }
      const qr = await sessions.qr(ws, id);
      c.header('cache-control', 'no-store');
      return c.json({ qr: qr.qr, expiresAt: qr.expiresAt.toISOString() }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/sessions/{id}/pairing-code',
      tags,
      summary: 'Link by phone number: returns the 8-character code to type on the phone',
      request: { params: SessionIdParam, body: { content: { 'application/json': { schema: PairingBody } }, required: true } },
      responses: {
        200: json(z.object({ code: z.string().openapi({ example: 'ABCD1234' }) }).openapi('PairingCode'), 'The code'),
        ...errorResponses(400, 401, 404, 409),
      },
    }),
    async (c) => {
      const code = await sessions.pairingCode(c.get('principal').workspaceId, c.req.valid('param').id, c.req.valid('json').phone);
      return c.json({ code }, 200);
    },
  );
}
