import type { WAMessage, WAMessageUpdate, proto } from 'baileys';
import type { InboundText, ReceiptUpdate } from '../engine.js';
import { isLidJid, phoneOfJid, userJid } from './jid.js';

/** The text of a message, or null when it carries no text we handle (media, protocol, reactions…). */
export function textOf(message: proto.IMessage | null | undefined): string | null {
  if (!message) return null;
  if (typeof message.conversation === 'string' && message.conversation) return message.conversation;
  if (message.extendedTextMessage?.text) return message.extendedTextMessage.text;
  const inner =
    message.ephemeralMessage?.message ?? message.viewOnceMessage?.message ?? message.documentWithCaptionMessage?.message;
  if (inner) return textOf(inner);
  return null;
}

/** A 1:1 text message from Baileys' `messages.upsert`, or null for anything else (groups, status, protocol). */
export function toInboundText(msg: WAMessage, offline: boolean): InboundText | null {
  const key = msg.key;
  if (!key?.id || !key.remoteJid) return null;
  const remote = key.remoteJid;
  if (!remote.endsWith('@s.whatsapp.net') && !remote.endsWith('@lid')) return null; // groups, broadcast, newsletters
  const text = textOf(msg.message);
  if (text === null) return null;
  const alt = (key as { remoteJidAlt?: string }).remoteJidAlt ?? null;
  const lid = isLidJid(remote) ? userJid(remote) : alt && isLidJid(alt) ? userJid(alt) : null;
  const phone = phoneOfJid(remote) ?? phoneOfJid(alt);
  const chatJid = phone ? `${phone}@s.whatsapp.net` : userJid(remote);
  const ts = Number(msg.messageTimestamp ?? 0);
  return {
    waId: key.id,
    remoteJid: userJid(remote),
    chatJid,
    chatLid: lid,
    chatPhone: phone,
    fromMe: !!key.fromMe,
    text,
    pushName: msg.pushName ?? null,
    timestamp: ts > 0 ? ts * 1000 : Date.now(),
    offline,
  };
}

// proto.WebMessageInfo.Status: ERROR 0, PENDING 1, SERVER_ACK 2, DELIVERY_ACK 3, READ 4, PLAYED 5
const STATUS: Record<number, ReceiptUpdate['status'] | undefined> = { 0: 'failed', 2: 'sent', 3: 'delivered', 4: 'read', 5: 'read' };

export function toReceipt(update: WAMessageUpdate): ReceiptUpdate | null {
  const status = update.update?.status;
  if (status === undefined || status === null || !update.key?.id || !update.key.remoteJid) return null;
  const mapped = STATUS[status];
  if (!mapped) return null;
  return { waId: update.key.id, chatJid: userJid(update.key.remoteJid), status: mapped };
}

/** The status carried by an own message's upsert (a delivery receipt can be merged into it). */
export function receiptOfOwnUpsert(msg: WAMessage): ReceiptUpdate | null {
  if (!msg.key?.fromMe || !msg.key.id || !msg.key.remoteJid || msg.status === undefined || msg.status === null) return null;
  const mapped = STATUS[msg.status];
  if (!mapped || mapped === 'sent') return null;
  return { waId: msg.key.id, chatJid: userJid(msg.key.remoteJid), status: mapped };
}
