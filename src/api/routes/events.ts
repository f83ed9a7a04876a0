import { createRoute, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import type { App } from '../app.js';
import { ALL_WORKSPACES, type AnyEvent, type EventBus, STREAM_EVENT_TYPES } from '../../core/events.js';
import { errorResponses } from '../schemas.js';

const EventSchema = z
  .object({
    id: z.string(),
    type: z.enum(STREAM_EVENT_TYPES),
    sessionId: z.string(),
    timestamp: z.string().openapi({ format: 'date-time' }),
    data: z.record(z.string(), z.unknown()),
  })
  .openapi('Event');

const Query = z.object({
  session: z.string().max(64).optional().openapi({ description: 'Only events of this session' }),
  types: z
    .string()
    .optional()
    .openapi({ description: 'Comma-separated event types to receive (default: all)', example: 'message.received,message.status' }),
});

/** The public JSON of an event (CONTRACT §3). */
export function publicEvent(e: AnyEvent) {
  return { id: e.id, type: e.type, sessionId: e.sessionId, workspaceId: e.workspaceId, timestamp: e.timestamp, data: e.data };
}

const HEARTBEAT_MS = 15_000;

export function eventRoutes(app: App, events: EventBus): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/events',
      tags: ['Events'],
      summary: 'Live events as Server-Sent Events (event: <type>, data: the event JSON)',
      request: { query: Query },
      responses: {
        200: { description: 'An SSE stream', content: { 'text/event-stream': { schema: EventSchema } } },
        ...errorResponses(400, 401),
      },
    }),
    async (c) => {
      const { session, types } = c.req.valid('query');
      const workspaceId = c.get('principal').workspaceId;
      const wanted = types ? new Set(types.split(',').map((t) => t.trim()).filter(Boolean)) : null;
      if (wanted) {
        for (const t of wanted) {
          if (!(STREAM_EVENT_TYPES as readonly string[]).includes(t)) {
            return c.json({ error: { code: 'validation_failed', message: `types: unknown event type '${t}' (known: ${STREAM_EVENT_TYPES.join(', ')})` } }, 400) as never;
          }
        }
      }
      c.header('cache-control', 'no-store');
      c.header('x-accel-buffering', 'no');
      return streamSSE(c, async (stream) => {
        const queue: AnyEvent[] = [];
        let wake: (() => void) | null = null;
        const unsubscribe = events.subscribe((e) => {
          if (e.workspaceId !== workspaceId && e.workspaceId !== ALL_WORKSPACES) return;
          if (session && e.sessionId !== session && e.workspaceId !== ALL_WORKSPACES) return;
          if (wanted && !wanted.has(e.type)) return;
          queue.push(e);
          wake?.();
        });
        let closed = false;
        stream.onAbort(() => {
          closed = true;
          wake?.();
        });
        try {
          await stream.writeSSE({ event: 'ready', data: JSON.stringify({ session: session ?? null }) });
          while (!closed) {
            while (queue.length && !closed) {
              const e = queue.shift()!;
              await stream.writeSSE({ id: e.id, event: e.type, data: JSON.stringify(publicEvent(e)) });
            }
            if (closed) break;
            await new Promise<void>((resolve) => {
              const t = setTimeout(resolve, HEARTBEAT_MS);
              wake = () => {
                clearTimeout(t);
                resolve();
              };
            });
            wake = null;
            if (!queue.length && !closed) await stream.write(': keepalive\n\n');
          }
        } finally {
          unsubscribe();
        }
      });
    },
  );
}
