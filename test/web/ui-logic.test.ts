import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { keys } from '../../web/src/api/keys';
import type { Chat, KirimEvent, Message, Session } from '../../web/src/api/types';
import { applyEvent } from '../../web/src/lib/apply-event';
import { errorMessage, ApiError } from '../../web/src/api/client';
import type { Delivery } from '../../web/src/api/types';
import { asSentence, chatTitle, formatPhone, groupPairingCode, jidPhone, relativeTime } from '../../web/src/lib/format';
import { failureReason, webhookHealth } from '../../web/src/lib/webhook-health';
import { keepChatStatusesForward, keepStatusesForward, laterStatus } from '../../web/src/lib/message-status';

const T = '2026-01-02T10:00:00.000Z';
const session = (over: Partial<Session> = {}): Session => ({
  id: 'ses_1',
  name: 'Sales',
  status: 'qr',
  phone: null,
  node: 'n1',
  createdAt: T,
  updatedAt: T,
  ...over,
});
const message = (over: Partial<Message> = {}): Message => ({
  id: 'msg_1',
  sessionId: 'ses_1',
  chat: '15550001111@s.whatsapp.net',
  direction: 'out',
  from: '6281200000001@s.whatsapp.net',
  to: '15550001111@s.whatsapp.net',
  text: 'hi',
  status: 'sent',
  timestamp: T,
  ...over,
});
const event = <E extends KirimEvent>(type: E['type'], data: E['data']): KirimEvent =>
  ({ id: 'evt_1', type, sessionId: 'ses_1', timestamp: '2026-01-02T10:01:00.000Z', data }) as KirimEvent;

describe('live events → query cache', () => {
  it('session.status updates the device list and drops a stale QR', () => {
    const qc = new QueryClient();
    qc.setQueryData(keys.sessions, [session(), session({ id: 'ses_2' })]);
    qc.setQueryData(keys.qr('ses_1'), { qr: 'old', expiresAt: T });
    applyEvent(qc, event('session.status', { status: 'open', phone: '6281200000001', reason: null }));
    const list = qc.getQueryData<Session[]>(keys.sessions)!;
    expect(list[0]).toMatchObject({ status: 'open', phone: '6281200000001', lastError: null });
    expect(list[1].status).toBe('qr');
    expect(qc.getQueryData(keys.qr('ses_1'))).toBeUndefined();
  });

  it('session.qr replaces the QR the dialog shows', () => {
    const qc = new QueryClient();
    qc.setQueryData(keys.sessions, [session({ status: 'starting' })]);
    applyEvent(qc, event('session.qr', { qr: '2@new', expiresAt: T }));
    expect(qc.getQueryData(keys.qr('ses_1'))).toEqual({ qr: '2@new', expiresAt: T });
    expect(qc.getQueryData<Session[]>(keys.sessions)![0].status).toBe('qr');
  });

  it('message.received lands in the open conversation and bumps the chat to the top, unread +1', () => {
    const qc = new QueryClient();
    const chat = '15550001111@s.whatsapp.net';
    const other: Chat = { chat: '1999@s.whatsapp.net', phone: '1999', lid: null, name: null, lastMessage: null, unread: 0, updatedAt: T };
    const mine: Chat = { chat, phone: '15550001111', lid: null, name: 'Ann', lastMessage: message(), unread: 0, updatedAt: T };
    qc.setQueryData(keys.chats('ses_1'), [other, mine]);
    qc.setQueryData(keys.messages('ses_1', chat), [message()]);
    const data = { messageId: 'msg_in', from: chat, chat, text: 'hello', pushName: 'Ann', timestamp: T };
    applyEvent(qc, event('message.received', data));
    applyEvent(qc, event('message.received', data)); // delivered twice (at least once): shown once
    const msgs = qc.getQueryData<Message[]>(keys.messages('ses_1', chat))!;
    expect(msgs.map((m) => m.id)).toEqual(['msg_in', 'msg_1']);
    expect(msgs[0]).toMatchObject({ direction: 'in', text: 'hello' });
    const chats = qc.getQueryData<Chat[]>(keys.chats('ses_1'))!;
    expect(chats[0].chat).toBe(chat);
    expect(chats[0].lastMessage?.text).toBe('hello');
  });

  it('message.status moves the ticks of the message and of the chat preview', () => {
    const qc = new QueryClient();
    const chat = '15550001111@s.whatsapp.net';
    qc.setQueryData(keys.messages('ses_1', chat), [message()]);
    qc.setQueryData(keys.chats('ses_1'), [{ chat, phone: null, lid: null, name: null, lastMessage: message(), unread: 0, updatedAt: T }]);
    applyEvent(qc, event('message.status', { messageId: 'msg_1', status: 'read', chat }));
    expect(qc.getQueryData<Message[]>(keys.messages('ses_1', chat))![0].status).toBe('read');
    expect(qc.getQueryData<Chat[]>(keys.chats('ses_1'))![0].lastMessage?.status).toBe('read');
    applyEvent(qc, event('message.status', { messageId: 'msg_1', status: 'failed', error: 'not on WhatsApp', chat }));
    expect(qc.getQueryData<Message[]>(keys.messages('ses_1', chat))![0]).toMatchObject({ status: 'failed', error: 'not on WhatsApp' });
  });
});

describe('display helpers', () => {
  it('groups a pairing code as ABCD-1234', () => {
    expect(groupPairingCode('abcd1234')).toBe('ABCD-1234');
    expect(groupPairingCode('ABCD-1234')).toBe('ABCD-1234');
  });

  it('shows phones and chat names', () => {
    expect(formatPhone('6281234567890')).toBe('+6281234567890');
    expect(jidPhone('6281234567890:3@s.whatsapp.net')).toBe('6281234567890');
    expect(jidPhone('123@lid')).toBeNull();
    expect(chatTitle({ name: null, phone: null, chat: '15550001111@s.whatsapp.net' })).toBe('+15550001111');
    expect(chatTitle({ name: 'Ann', phone: '1', chat: 'x' })).toBe('Ann');
  });

  it('says how long ago', () => {
    const now = Date.parse(T);
    expect(relativeTime(T, now)).toBe('just now');
    expect(relativeTime('2026-01-02T09:58:00.000Z', now)).toBe('2 min ago');
    expect(relativeTime('2026-01-02T10:00:30.000Z', now)).toBe('in 30 s');
    expect(relativeTime(null, now)).toBe('—');
  });

  it('shows the API’s messages as sentences', () => {
    expect(asSentence("session 'ses_1' was not found")).toBe("Session 'ses_1' was not found.");
    expect(asSentence('url: 127.0.0.1 is a loopback address')).toBe('URL: 127.0.0.1 is a loopback address.');
    expect(asSentence('Already a sentence!')).toBe('Already a sentence!');
    expect(asSentence("'to' must be phone digits")).toBe("'to' must be phone digits.");
    expect(asSentence('identity is odd')).toBe('Identity is odd.'); // "id" only as a whole word
    expect(errorMessage(new ApiError(409, 'session_not_open', "session is 'stopped'; messages can be sent only while it is 'open'"))).toBe(
      "Session is 'stopped'; messages can be sent only while it is 'open'.",
    );
  });
});

describe('webhook health', () => {
  const d = (over: Partial<Delivery>): Delivery => ({
    id: 'dlv',
    eventId: 'evt',
    eventType: 'message.received',
    status: 'delivered',
    attempts: 1,
    nextAttemptAt: null,
    lastStatusCode: 200,
    lastError: null,
    createdAt: T,
    updatedAt: T,
    deliveredAt: T,
    ...over,
  });

  it('has nothing to say before the first attempt', () => {
    expect(webhookHealth([])).toMatchObject({ state: 'none', failing: 0, of: 0, last: null });
    expect(webhookHealth([d({ status: 'pending', attempts: 0, lastStatusCode: null, deliveredAt: null })])).toMatchObject({ state: 'none', failing: 0, of: 1 });
  });

  it('judges by the newest attempted delivery and counts the failing ones', () => {
    const retrying = d({ id: 'a', status: 'pending', attempts: 2, lastStatusCode: 500, deliveredAt: null });
    const queued = d({ id: 'q', status: 'pending', attempts: 0, lastStatusCode: null, deliveredAt: null });
    const dead = d({ id: 'b', status: 'failed', attempts: 9, lastStatusCode: null, lastError: 'connection refused', deliveredAt: null });
    const ok = d({ id: 'c' });
    expect(webhookHealth([queued, retrying, ok, dead])).toMatchObject({ state: 'failing', failing: 2, of: 4, last: retrying });
    expect(webhookHealth([queued, ok, retrying])).toMatchObject({ state: 'ok', failing: 1, last: ok });
    expect(failureReason(retrying)).toBe('HTTP 500');
    expect(failureReason(dead)).toBe('connection refused');
  });
});

describe('ticks only move forward', () => {
  it('a late status does not undo a newer one; failed always lands', () => {
    expect(laterStatus('read', 'delivered')).toBe('read');
    expect(laterStatus('sent', 'delivered')).toBe('delivered');
    expect(laterStatus('sent', 'failed')).toBe('failed');
  });

  it('a refetch answered with an older status keeps the one a live event brought', () => {
    const live = [message({ id: 'msg_1', status: 'sent' })];
    const stale = [message({ id: 'msg_1', status: 'pending' }), message({ id: 'msg_0', status: 'read' })];
    expect(keepStatusesForward(live, stale).map((m) => [m.id, m.status])).toEqual([
      ['msg_1', 'sent'],
      ['msg_0', 'read'],
    ]);
    const newer = [message({ id: 'msg_1', status: 'delivered' })];
    expect(keepStatusesForward(live, newer)[0].status).toBe('delivered');
  });

  it('applies to the chat previews and to message.status events too', () => {
    const chat = '15550001111@s.whatsapp.net';
    const c = (status: Message['status']): Chat => ({ chat, phone: null, lid: null, name: null, lastMessage: message({ status }), unread: 0, updatedAt: T });
    expect(keepChatStatusesForward([c('read')], [c('sent')])[0].lastMessage?.status).toBe('read');
    const qc = new QueryClient();
    qc.setQueryData(keys.messages('ses_1', chat), [message({ status: 'read' })]);
    applyEvent(qc, event('message.status', { messageId: 'msg_1', status: 'delivered', chat }));
    expect(qc.getQueryData<Message[]>(keys.messages('ses_1', chat))![0].status).toBe('read');
  });
});
