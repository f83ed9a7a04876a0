import type {
  Chat,
  ClusterNode,
  CreatedWebhook,
  Delivery,
  EventType,
  Message,
  Qr,
  SandboxInfo,
  SendAccepted,
  Session,
  SimAccount,
  SimInboxMessage,
  SimStats,
  Webhook,
} from './types';
import { asSentence } from '../lib/format';

/** An answer that was not 2xx, carrying the API's own `{error:{code,message}}` words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The words to show a person for any failure, as a sentence. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return asSentence(err.message);
  if (err instanceof TypeError) return 'Could not reach the gateway. Check that it is running and try again.';
  if (err instanceof Error) return asSentence(err.message);
  return asSentence(String(err));
}

const enc = encodeURIComponent;

export interface ApiOptions {
  key: string;
  baseUrl?: string;
  /** Called when a call answers 401 (the key stopped being accepted). */
  onUnauthorized?: () => void;
}

/** The one typed client for the gateway's HTTP API. */
export function createApi({ key, baseUrl = '', onUnauthorized }: ApiOptions) {
  async function call<T>(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${key}`, accept };
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const res = await fetch(baseUrl + path, init);
    if (!res.ok) {
      let code = `http_${res.status}`;
      let message = `The gateway answered ${res.status} ${res.statusText}`.trim();
      try {
        const parsed = (await res.json()) as { error?: { code?: string; message?: string } };
        if (parsed.error?.message) message = parsed.error.message;
        if (parsed.error?.code) code = parsed.error.code;
      } catch {}
      if (res.status === 401) onUnauthorized?.();
      throw new ApiError(res.status, code, message);
    }
    if (res.status === 204) return undefined as T;
    if (accept.startsWith('image/')) return (await res.blob()) as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  const sid = (id: string) => `/v1/sessions/${enc(id)}`;

  return {
    key,
    /** URL of the SSE stream (EventSource cannot send headers, so the key goes in the query). */
    eventsUrl: () => `${baseUrl}/v1/events?api_key=${enc(key)}`,

    sessions: {
      list: () => call<{ sessions: Session[] }>('GET', '/v1/sessions').then((r) => r.sessions),
      get: (id: string) => call<Session>('GET', sid(id)),
      create: (name?: string) => call<Session>('POST', '/v1/sessions', name ? { name } : {}),
      rename: (id: string, name: string) => call<Session>('PATCH', sid(id), { name }),
      start: (id: string) => call<Session>('POST', `${sid(id)}/start`),
      stop: (id: string) => call<Session>('POST', `${sid(id)}/stop`),
      logout: (id: string) => call<Session>('POST', `${sid(id)}/logout`),
      remove: (id: string) => call<void>('DELETE', sid(id)),
      qr: (id: string) => call<Qr>('GET', `${sid(id)}/qr`),
      qrPng: (id: string) => call<Blob>('GET', `${sid(id)}/qr`, undefined, 'image/png'),
      pairingCode: (id: string, phone: string) => call<{ code: string }>('POST', `${sid(id)}/pairing-code`, { phone }),
    },

    messages: {
      send: (sessionId: string, to: string, text: string) => call<SendAccepted>('POST', `${sid(sessionId)}/messages`, { to, text }),
      history: (sessionId: string, chat: string, limit = 100) =>
        call<{ messages: Message[] }>('GET', `${sid(sessionId)}/messages?chat=${enc(chat)}&limit=${limit}`).then((r) => r.messages),
    },

    chats: {
      list: (sessionId: string) => call<{ chats: Chat[] }>('GET', `${sid(sessionId)}/chats`).then((r) => r.chats),
      markRead: (sessionId: string, chat: string) => call<{ read: number }>('POST', `${sid(sessionId)}/chats/${enc(chat)}/read`),
    },

    webhooks: {
      list: () => call<{ webhooks: Webhook[] }>('GET', '/v1/webhooks').then((r) => r.webhooks),
      create: (input: { url: string; events?: EventType[]; description?: string }) => call<CreatedWebhook>('POST', '/v1/webhooks', input),
      update: (id: string, patch: Partial<Pick<Webhook, 'url' | 'events' | 'description' | 'enabled'>>) =>
        call<Webhook>('PATCH', `/v1/webhooks/${enc(id)}`, patch),
      remove: (id: string) => call<void>('DELETE', `/v1/webhooks/${enc(id)}`),
      deliveries: (id: string) => call<{ deliveries: Delivery[] }>('GET', `/v1/webhooks/${enc(id)}/deliveries?limit=50`).then((r) => r.deliveries),
      redeliver: (id: string, deliveryId: string) => call<Delivery>('POST', `/v1/webhooks/${enc(id)}/deliveries/${enc(deliveryId)}/redeliver`),
      test: (id: string) => call<Delivery>('POST', `/v1/webhooks/${enc(id)}/test`),
    },

    nodes: {
      list: () => call<{ nodes: ClusterNode[] }>('GET', '/v1/nodes').then((r) => r.nodes),
      drain: (id: string) => call<ClusterNode>('POST', `/v1/nodes/${enc(id)}/drain`),
    },

    sandbox: {
      info: () => call<SandboxInfo>('GET', '/v1/sandbox'),
      scan: (qr: string, phone?: string) => call<{ phone: string; jid: string }>('POST', '/v1/sandbox/admin/scan', phone ? { qr, phone } : { qr }),
      confirmPairingCode: (phone: string, code: string) => call<unknown>('POST', '/v1/sandbox/admin/pairing-code', { phone, code }),
      sendAsContact: (from: string, to: string, text: string) =>
        call<{ messageId: string }>('POST', `/v1/sandbox/admin/contacts/${enc(from)}/send`, { to, text }),
      inbox: (phone: string) =>
        call<{ messages: SimInboxMessage[] }>('GET', `/v1/sandbox/admin/contacts/${enc(phone)}/inbox`).then((r) => r.messages),
      readAsContact: (phone: string, messageIds: string[]) => call<unknown>('POST', `/v1/sandbox/admin/contacts/${enc(phone)}/read`, { messageIds }),
      accounts: () => call<{ accounts: SimAccount[] }>('GET', '/v1/sandbox/admin/accounts').then((r) => r.accounts),
      /** The simulated phone unlinks all its devices, as Settings → Linked devices → Log out would. */
      logoutAccount: (phone: string) => call<{ phone: string; removedDevices: number }>('POST', `/v1/sandbox/admin/accounts/${enc(phone)}/logout`),
      stats: () => call<SimStats>('GET', '/v1/sandbox/admin/stats'),
    },
  };
}

export type Api = ReturnType<typeof createApi>;
