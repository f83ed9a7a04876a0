import { z } from '@hono/zod-openapi';
import { EVENT_TYPES } from '../core/events.js';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'session_not_found' }),
      message: z.string().openapi({ example: "session 'ses_123' was not found" }),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error');

export const SESSION_STATUSES = ['starting', 'qr', 'pairing', 'open', 'reconnecting', 'stopped', 'logged_out', 'failed'] as const;

export const SessionSchema = z
  .object({
    id: z.string().openapi({ example: 'ses_01jd3k5m7q8r9s0t1v2w3x4y5z' }),
    name: z.string(),
    status: z.enum(SESSION_STATUSES),
    phone: z.string().nullable().openapi({ description: 'Phone number digits once linked' }),
    node: z.string().nullable().openapi({ description: 'Id of the node that owns the connection' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
    workspaceId: z.string(),
    jid: z.string().nullable(),
    lid: z.string().nullable(),
    pushName: z.string().nullable(),
    lastError: z.string().nullable().openapi({ description: 'Why the session last closed or failed, in words' }),
    desired: z.enum(['running', 'stopped']).openapi({ description: "'running' sessions are kept connected across restarts" }),
    region: z.string().nullable().openapi({ description: 'Cluster: preferred region' }),
    labels: z.record(z.string(), z.string()).nullable().openapi({ description: 'Cluster: node labels it must run on' }),
  })
  .openapi('Session');

export const SessionIdParam = z.object({
  id: z.string().min(1).max(64).openapi({ param: { name: 'id', in: 'path' }, example: 'ses_01jd3k5m7q8r9s0t1v2w3x4y5z' }),
});

export const EventTypeSchema = z.enum(EVENT_TYPES);

export const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, json(ErrorSchema, ERROR_DESCRIPTIONS[s] ?? 'Error')]));

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (the message names the field)',
  401: 'Missing or invalid API key',
  404: 'Not found',
  409: 'The session is in the wrong state for this',
  413: 'Request body too large',
  429: 'Too many requests queued',
  503: 'Something this call needs did not answer (the simulator, or the node running the session); retry',
};
