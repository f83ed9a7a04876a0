import type { Chat, Message, MessageStatus } from '../api/types';

/** The order a message's status moves in; the gateway never moves one back (failed ends it). */
const RANK: Record<MessageStatus, number> = { pending: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

const rank = (s: MessageStatus) => RANK[s] ?? 0;

/** `next` unless it would move the ticks backwards (a late answer overtaken by a live event). */
export function laterStatus(current: MessageStatus, next: MessageStatus): MessageStatus {
  return rank(next) >= rank(current) ? next : current;
}

function forward(old: Message | undefined, fresh: Message): Message {
  if (!old || rank(old.status) <= rank(fresh.status)) return fresh;
  return { ...fresh, status: old.status, error: old.error ?? fresh.error };
}

/**
 * Merges a refetched message list into the cached one. A fetch that started before a
 * `message.status` event arrived answers with the older status; it must not undo the event.
 */
export function keepStatusesForward(old: Message[] | undefined, fresh: Message[]): Message[] {
  if (!old?.length) return fresh;
  const known = new Map(old.map((m) => [m.id, m]));
  return fresh.map((m) => forward(known.get(m.id), m));
}

/** The same for the chat list's last-message previews. */
export function keepChatStatusesForward(old: Chat[] | undefined, fresh: Chat[]): Chat[] {
  if (!old?.length) return fresh;
  const known = new Map(old.flatMap((c) => (c.lastMessage ? [[c.lastMessage.id, c.lastMessage] as const] : [])));
  return fresh.map((c) => (c.lastMessage && known.has(c.lastMessage.id) ? { ...c, lastMessage: forward(known.get(c.lastMessage.id), c.lastMessage) } : c));
}
