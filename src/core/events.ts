import { newId } from './ids.js';
import { type Clock, systemClock } from './clock.js';

export type SessionStatus =
  | 'starting'
  | 'qr'
  | 'pairing'
  | 'open'
  | 'reconnecting'
  | 'stopped'
  | 'logged_out'
  | 'failed';

export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

/** Payloads of the public event types (CONTRACT §3), plus the extra fields kirim adds. */
export interface EventDataMap {
  'session.status': { status: SessionStatus; phone: string | null; reason?: string | null };
  'session.qr': { qr: string; expiresAt: string };
  'message.received': {
    messageId: string;
    /** WhatsApp's own id of the message. */
    waId: string;
    from: string;
    /** The sender's phone number digits, when known. */
    phone: string | null;
    chat: string;
    text: string;
    pushName?: string | null;
    timestamp: string;
  };
  'message.status': { messageId: string; waId: string; status: MessageStatus; error?: string | null; chat: string };
  /** Start-up progress of a node reconnecting its saved sessions (SSE only, not webhooks). */
  'node.restore': { node: string; total: number; started: number; open: number; failed: number; elapsedMs: number; done: boolean };
}

export type EventType = keyof EventDataMap;
/** The event types of sessions: on SSE and for webhooks. */
export const EVENT_TYPES = [
  'session.status',
  'session.qr',
  'message.received',
  'message.status',
] as const satisfies readonly EventType[];

export type SessionEventType = (typeof EVENT_TYPES)[number];

/** Everything SSE can stream: the session events plus node events (workspace `*`: every workspace). */
export const STREAM_EVENT_TYPES = [...EVENT_TYPES, 'node.restore'] as const satisfies readonly EventType[];

/** Node events belong to no workspace; they carry this one and go to every SSE client. */
export const ALL_WORKSPACES = '*';

export interface KirimEvent<T extends EventType = EventType> {
  id: string;
  type: T;
  workspaceId: string;
  sessionId: string;
  timestamp: string;
  data: EventDataMap[T];
}

export type AnyEvent = { [K in EventType]: KirimEvent<K> }[EventType];

export function makeEvent<T extends EventType>(
  type: T,
  workspaceId: string,
  sessionId: string,
  data: EventDataMap[T],
  clock: Clock = systemClock,
): KirimEvent<T> {
  const now = clock.now();
  return { id: newId('evt', now), type, workspaceId, sessionId, timestamp: new Date(now).toISOString(), data };
}

/** Where an event came from: this process, or another node (cluster fan-out). */
export type EventOrigin = 'local' | 'remote';
export type EventListener = (event: AnyEvent, origin: EventOrigin) => void;

/**
 * The event bus: what happened, for every subscriber (SSE, webhooks, dashboard, flows).
 * Publishing never throws and never waits for subscribers; a throwing listener is isolated.
 */
export interface EventBus {
  publish(event: AnyEvent): void;
  subscribe(listener: EventListener): () => void;
  close(): Promise<void>;
}
