/** Shapes of the gateway's public API (CONTRACT §2–§3), as the dashboard uses them. */

export const SESSION_STATUSES = ['starting', 'qr', 'pairing', 'open', 'reconnecting', 'stopped', 'logged_out', 'failed'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export interface Session {
  id: string;
  name: string;
  status: SessionStatus;
  phone: string | null;
  node: string | null;
  createdAt: string;
  updatedAt: string;
  jid?: string | null;
  pushName?: string | null;
  lastError?: string | null;
  desired?: 'running' | 'stopped';
  region?: string | null;
}

export interface Qr {
  qr: string;
  expiresAt: string;
}

export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

export interface Message {
  id: string;
  sessionId: string;
  waId?: string;
  chat: string;
  direction: 'in' | 'out';
  from: string;
  to: string;
  text: string;
  status: MessageStatus;
  error?: string | null;
  pushName?: string | null;
  timestamp: string;
  createdAt?: string;
  updatedAt?: string;
}

export interface Chat {
  chat: string;
  phone: string | null;
  lid: string | null;
  name: string | null;
  lastMessage: Message | null;
  unread: number;
  updatedAt: string;
}

export interface SendAccepted {
  id: string;
  status: MessageStatus;
  waId?: string;
  chat?: string;
}

export const EVENT_TYPES = ['session.status', 'session.qr', 'message.received', 'message.status'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface EventDataMap {
  'session.status': { status: SessionStatus; phone: string | null; reason?: string | null };
  'session.qr': { qr: string; expiresAt: string };
  'message.received': {
    messageId: string;
    waId?: string;
    from: string;
    phone?: string | null;
    chat: string;
    text: string;
    pushName?: string | null;
    timestamp?: string;
  };
  'message.status': { messageId: string; waId?: string; status: MessageStatus; error?: string | null; chat?: string };
}

export interface KirimEvent<T extends EventType = EventType> {
  id: string;
  type: T;
  sessionId: string;
  timestamp: string;
  data: EventDataMap[T];
}

export interface Webhook {
  id: string;
  url: string;
  /** null = every event type. */
  events: EventType[] | null;
  description?: string | null;
  enabled?: boolean;
  /** Why kirim disabled it (e.g. the endpoint answered 410 Gone). */
  disabledReason?: string | null;
  createdAt?: string;
  updatedAt?: string;
}

export interface CreatedWebhook extends Webhook {
  secret: string;
}

export type DeliveryStatus = 'pending' | 'delivering' | 'delivered' | 'failed' | (string & {});

export interface Delivery {
  id: string;
  eventId: string;
  eventType: EventType | string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
}

export interface ClusterNode {
  id: string;
  url: string | null;
  region: string | null;
  status: 'active' | 'draining' | 'dead' | (string & {});
  sessions: number;
  capacity: number;
  lastHeartbeat: string;
}

export interface SandboxInfo {
  enabled: boolean;
  url: string | null;
}

export interface SimAccount {
  phone: string;
  lid?: string;
  pushName?: string | null;
  onlineDevices?: number;
}

export interface SimInboxMessage {
  id: string;
  from: string;
  text: string;
  timestamp: string | number;
}

export interface SimStats {
  connections: number;
  handshakes: number;
  conflicts: number;
  messages: number;
}
