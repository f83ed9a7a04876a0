import { deflateSync } from 'node:zlib';
import { proto, unixTimestampSeconds } from 'baileys';
import { lidJid, pnJid } from '../binary/jid.js';
import type { ClientConnection } from '../connection/client-connection.js';
import type { SimContext } from '../context.js';
import { PhoneCipher } from '../signal/phone-cipher.js';
import type { Addressing } from '../world/outbox.js';
import type { User } from '../world/users.js';
import { newMessageId, textMessage } from './message-content.js';
import { phoneMessageStanza } from './phone-message-stanza.js';

/**
 * Contact `contact` (a simulated phone) sends `text` to every linked device of `account`: encrypted per
 * device (pkmsg for a new session, msg after), delivered live or queued for the next login.
 */
export async function sendTextFromPhone(
  ctx: SimContext,
  contact: User,
  account: User,
  text: string,
  addressing: Addressing,
): Promise<string> {
  const id = newMessageId();
  const message = textMessage(text);
  const now = unixTimestampSeconds();
  ctx.world.transaction(() => {
    ctx.world.outbox.add(contact.phone, { id, toPhone: account.phone, addressing, category: '', message, text });
    // the account's own phone receives it too
    const chat = addressing === 'pn' ? pnJid(account.phone) : lidJid(account.lid);
    ctx.world.inbox.add(account.phone, { id, fromPhone: contact.phone, fromDevice: 0, chat, ownCopy: false, type: 'conversation', text, timestamp: now });
  });
  const cipher = new PhoneCipher(ctx.world, contact);
  for (const device of ctx.world.devices.listActive(account.phone)) {
    try {
      const enc = await cipher.encrypt(device, account.lid, message);
      ctx.delivery.deliver(account.phone, device.deviceId, phoneMessageStanza(contact, { id, addressing, enc, timestamp: now }));
    } catch (err) {
      ctx.logger.error({ err, from: contact.phone, to: `${account.phone}:${device.deviceId}` }, 'could not encrypt for a device');
    }
  }
  ctx.stats.messages++;
  return id;
}

/** An empty initial history, inline, so the companion needs no media download to finish its first sync. */
function historySyncNotification(): Buffer {
  const syncType = proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP;
  const payload = deflateSync(proto.HistorySync.encode({ syncType, conversations: [], progress: 100, chunkOrder: 0 }).finish());
  return Buffer.from(
    proto.Message.encode({
      protocolMessage: {
        type: proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION,
        historySyncNotification: { syncType, chunkOrder: 0, progress: 100, initialHistBootstrapInlinePayload: payload },
      },
    }).finish(),
  );
}

/**
 * The account's phone hands a freshly logged-in companion its (empty) history, as a real phone does
 * after linking. Without it Baileys holds incoming events for 20 s on the first login.
 */
export async function sendHistorySync(ctx: SimContext, conn: ClientConnection): Promise<void> {
  const device = conn.device && ctx.world.devices.find(conn.device.phone, conn.device.deviceId);
  const account = device && ctx.world.users.find(device.phone);
  if (!device || !account) return;
  const id = newMessageId();
  const message = historySyncNotification();
  ctx.world.outbox.add(account.phone, { id, toPhone: account.phone, addressing: 'pn', category: 'peer', message, text: undefined });
  const enc = await new PhoneCipher(ctx.world, account).encrypt(device, account.lid, message);
  conn.send(phoneMessageStanza(account, { id, addressing: 'peer', enc }));
}
