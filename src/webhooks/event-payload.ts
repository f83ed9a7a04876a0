import type { AnyEvent } from '../core/events.js';

/** The `webhook.test` ping sent by `POST /v1/webhooks/{id}/test`; not an event-bus type. */
export const TEST_EVENT_TYPE = 'webhook.test';

/** What a webhook receives: the public event JSON (CONTRACT §3) plus its workspace. */
export interface WebhookPayload {
  id: string;
  type: string;
  sessionId: string | null;
  workspaceId: string;
  timestamp: string;
  data: unknown;
}

export function eventPayload(e: AnyEvent): WebhookPayload {
  return { id: e.id, type: e.type, sessionId: e.sessionId, workspaceId: e.workspaceId, timestamp: e.timestamp, data: e.data };
}

export function testPayload(id: string, workspaceId: string, webhookId: string, nowMs: number): WebhookPayload {
  return {
    id,
    type: TEST_EVENT_TYPE,
    sessionId: null,
    workspaceId,
    timestamp: new Date(nowMs).toISOString(),
    data: { webhookId, message: 'Test event from kirim: your endpoint is reachable and can verify the signature.' },
  };
}
