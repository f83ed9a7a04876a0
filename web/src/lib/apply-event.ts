import type { QueryClient } from '@tanstack/react-query';
import { keys } from '../api/keys';
import type { Chat, KirimEvent, Message, Session } from '../api/types';
import { laterStatus } from './message-status';

/** Applies one gateway event to the query cache, so every screen updates without a reload. */
export function applyEvent(qc: QueryClient, event: KirimEvent) {
  const sid = event.sessionId;
  switch (event.type) {
    case 'session.status': {
      const data = (event as KirimEvent<'session.status'>).data;
      qc.setQueryData<Session[]>(keys.sessions, (list) =>
        list?.map((s) =>
          s.id === sid
            ? {
                ...s,
                status: data.status,
                phone: data.phone ?? s.phone,
                lastError: data.reason !== undefined ? data.reason : s.lastError,
                updatedAt: event.timestamp,
              }
            : s,
        ),
      );
      if (data.status !== 'qr') qc.removeQueries({ queryKey: keys.qr(sid), exact: true });
      void qc.invalidateQueries({ queryKey: keys.sessions });
      if (data.status === 'open') void qc.invalidateQueries({ queryKey: keys.nodes });
      break;
    }
    case 'session.qr': {
      const data = (event as KirimEvent<'session.qr'>).data;
      qc.setQueryData(keys.qr(sid), { qr: data.qr, expiresAt: data.expiresAt });
      qc.setQueryData<Session[]>(keys.sessions, (list) => list?.map((s) => (s.id === sid && s.status !== 'qr' ? { ...s, status: 'qr' } : s)));
      break;
    }
    case 'message.received': {
      const data = (event as KirimEvent<'message.received'>).data;
      const message: Message = {
        id: data.messageId,
        sessionId: sid,
        waId: data.waId,
        chat: data.chat,
        direction: 'in',
        from: data.from,
        to: '',
        text: data.text,
        status: 'delivered',
        pushName: data.pushName ?? null,
        timestamp: data.timestamp ?? event.timestamp,
      };
      qc.setQueryData<Message[]>(keys.messages(sid, data.chat), (list) => (list && !list.some((m) => m.id === message.id) ? [message, ...list] : list));
      qc.setQueryData<Chat[]>(keys.chats(sid), (list) => {
        if (!list) return list;
        const existing = list.find((c) => c.chat === data.chat);
        if (!existing) return list;
        const updated = { ...existing, lastMessage: message, unread: existing.unread + 1, updatedAt: message.timestamp };
        return [updated, ...list.filter((c) => c !== existing)];
      });
      void qc.invalidateQueries({ queryKey: keys.chats(sid) });
      void qc.invalidateQueries({ queryKey: keys.messagesOf(sid) });
      break;
    }
    case 'message.status': {
      const data = (event as KirimEvent<'message.status'>).data;
      let known = false;
      const patch = (m: Message): Message => {
        if (m.id !== data.messageId) return m;
        known = true;
        return { ...m, status: laterStatus(m.status, data.status), error: data.error ?? m.error };
      };
      qc.setQueriesData<Message[]>({ queryKey: keys.messagesOf(sid) }, (list) => list?.map(patch));
      // A message this tab has not seen (sent through the API by something else): fetch it.
      if (!known) void qc.invalidateQueries({ queryKey: keys.messagesOf(sid) });
      qc.setQueryData<Chat[]>(keys.chats(sid), (list) => list?.map((c) => (c.lastMessage ? { ...c, lastMessage: patch(c.lastMessage) } : c)));
      void qc.invalidateQueries({ queryKey: keys.chats(sid) });
      break;
    }
  }
}
