import { randomBytes } from 'node:crypto';
import { proto } from 'baileys';

/** A WhatsApp-style message id (what Baileys generates: `3EB0` + hex). */
export function newMessageId(): string {
  return `3EB0${randomBytes(9).toString('hex').toUpperCase()}`;
}

export function textMessage(text: string): Buffer {
  return Buffer.from(proto.Message.encode({ conversation: text }).finish());
}

/** The proto.Message field carrying the content (e.g. "conversation", "imageMessage") and its text, if any. */
export function describeMessage(message: proto.IMessage): { type: string; text: string | undefined } {
  if (message.conversation) return { type: 'conversation', text: message.conversation };
  if (message.extendedTextMessage?.text) return { type: 'extendedTextMessage', text: message.extendedTextMessage.text };
  const type = Object.keys(message).find((key) => key !== 'messageContextInfo' && (message as Record<string, unknown>)[key] != null) ?? 'unknown';
  const caption = (message as Record<string, { caption?: string } | undefined>)[type]?.caption;
  return { type, text: typeof caption === 'string' ? caption : undefined };
}
