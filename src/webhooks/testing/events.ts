import { type AnyEvent, makeEvent } from '../../core/events.js';

export const WS = 'default';

export function messageReceived(text = 'hello', workspaceId = WS): AnyEvent {
  const id = Math.random().toString(36).slice(2);
  return makeEvent('message.received', workspaceId, 'ses_test', {
    messageId: `msg_${id}`,
    waId: `3EB0${id.toUpperCase()}`,
    from: '6281234567890@s.whatsapp.net',
    phone: '6281234567890',
    chat: '6281234567890@s.whatsapp.net',
    text,
    pushName: 'Ani',
    timestamp: new Date().toISOString(),
  });
}

export function sessionQr(workspaceId = WS): AnyEvent {
  return makeEvent('session.qr', workspaceId, 'ses_test', { qr: '2@abc', expiresAt: new Date().toISOString() });
}
