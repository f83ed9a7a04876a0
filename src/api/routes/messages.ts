import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../app.js';
import { MAX_TEXT, type MessageService } from '../../messages/index.js';
import { SessionIdParam, errorResponses, json } from '../schemas.js';

const tags = ['Messages'];
const STATUSES = ['pending', 'sent', 'delivered', 'read', 'failed'] as const;

const SendBody = z
  .object({
    to: z.string().min(1).max(64).openapi({ description: 'Phone number digits (country code first) or a jid', example: '6281234567890' }),
    text: z.string().min(1).max(MAX_TEXT).openapi({ example: 'Hello from kirim' }),
  })
  .strict()
  .openapi('SendText');

const Accepted = z
  .object({
    id: z.string(),
    status: z.enum(STATUSES),
    waId: z.string().openapi({ description: "WhatsApp's id of the message" }),
    chat: z.string(),
  })
  .openapi('MessageAccepted');

const MessageSchema = z
  .object({
    id: z.string(),
    sessionId: z.string(),
    waId: z.string(),
    chat: z.string().openapi({ description: 'Canonical chat jid: the phone jid when known, else the LID jid' }),
    direction: z.enum(['in', 'out']),
    from: z.string(),
    to: z.string(),
    text: z.string(),
    status: z.enum(STATUSES),
    error: z.string().optional(),
    pushName: z.string().nullable(),
    timestamp: z.string().openapi({ format: 'date-time' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Message');

const MessageParams = SessionIdParam.extend({
  messageId: z.string().min(1).max(64).openapi({ param: { name: 'messageId', in: 'path' } }),
});

const HistoryQuery = z.object({
  chat: z.string().max(64).optional().openapi({ description: 'Phone digits or jid of one chat (default: all chats)' }),
  limit: z.coerce.number().int().min(1).max(500).default(50).openapi({ description: '1 to 500, default 50' }),
  cursor: z.string().max(200).optional().openapi({ description: 'nextCursor of the previous page' }),
});

export function messageRoutes(app: App, messages: MessageService): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/sessions/{id}/messages',
      tags,
      summary: 'Send a text; it is queued in order and its status follows as message.status events',
      request: { params: SessionIdParam, body: { content: { 'application/json': { schema: SendBody } }, required: true } },
      responses: { 202: json(Accepted, 'Queued'), ...errorResponses(400, 401, 404, 409, 413, 429) },
    }),
    async (c) => {
      const res = await messages.send(c.get('principal').workspaceId, c.req.valid('param').id, c.req.valid('json'));
      return c.json(res, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/sessions/{id}/messages/{messageId}',
      tags,
      summary: 'One message with its current status',
      request: { params: MessageParams },
      responses: { 200: json(MessageSchema, 'The message'), ...errorResponses(401, 404) },
    }),
    async (c) => {
      const { id, messageId } = c.req.valid('param');
      return c.json(await messages.get(c.get('principal').workspaceId, id, messageId), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/sessions/{id}/messages',
      tags,
      summary: 'Message history, newest first, both directions',
      request: { params: SessionIdParam, query: HistoryQuery },
      responses: {
        200: json(z.object({ messages: z.array(MessageSchema), nextCursor: z.string().nullable() }), 'A page of messages'),
        ...errorResponses(400, 401, 404),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(await messages.history(c.get('principal').workspaceId, c.req.valid('param').id, q), 200);
    },
  );
}

const ChatSchema = z
  .object({
    chat: z.string(),
    phone: z.string().nullable(),
    lid: z.string().nullable(),
    name: z.string().nullable().openapi({ description: 'The contact’s push name, when known' }),
    lastMessage: MessageSchema.nullable(),
    unread: z.number().int(),
    updatedAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Chat');

const ChatParams = SessionIdParam.extend({
  chat: z.string().min(1).max(64).openapi({ param: { name: 'chat', in: 'path' }, description: 'Phone digits or jid' }),
});

export function chatRoutes(app: App, messages: MessageService): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/sessions/{id}/chats',
      tags,
      summary: 'Chats with their last message and unread counts, newest activity first',
      request: { params: SessionIdParam, query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }) },
      responses: { 200: json(z.object({ chats: z.array(ChatSchema) }), 'Chats'), ...errorResponses(400, 401, 404) },
    }),
    async (c) => c.json({ chats: await messages.chats(c.get('principal').workspaceId, c.req.valid('param').id, c.req.valid('query').limit) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/sessions/{id}/chats/{chat}/read',
      tags,
      summary: "Mark a chat's received messages read (sends read receipts)",
      request: { params: ChatParams },
      responses: { 200: json(z.object({ read: z.number().int() }), 'How many messages were marked read'), ...errorResponses(400, 401, 404) },
    }),
    async (c) => {
      const { id, chat } = c.req.valid('param');
      return c.json({ read: await messages.markChatRead(c.get('principal').workspaceId, id, chat) }, 200);
    },
  );
}
