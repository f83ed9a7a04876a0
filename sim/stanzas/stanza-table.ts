import { handleClientMessage } from '../messaging/client-message.js';
import { handleClientReceipt } from '../messaging/client-receipt.js';
import { handleClientAck } from './ack-stanza.js';
import { accountIqs } from './iq/account-iqs.js';
import { appStateIq } from './iq/app-state-iq.js';
import { companionIqs } from './iq/companion-iqs.js';
import { keyBundleIq } from './iq/key-bundle-iq.js';
import { prekeyIqs } from './iq/prekey-iqs.js';
import { usyncIq } from './iq/usync-iq.js';
import { createIqRouter } from './iq-router.js';
import type { StanzaHandler } from './stanza-handler.js';

/** Stanzas the simulator has nothing to do with (telemetry, presence, typing, calls). */
const ignore: StanzaHandler = (ctx, conn, node) => {
  ctx.logger.trace({ conn: conn.id, tag: node.tag }, 'stanza ignored');
};

/** Receipts, with retry receipts counted (`retryReceipts` in `GET /admin/stats`): each is a failed decryption. */
const receipt: StanzaHandler = (ctx, conn, node) => {
  if (node.attrs.type === 'retry') ctx.stats.retryReceipts++;
  return handleClientReceipt(ctx, conn, node);
};

/** Client stanza tag → handler. */
export function createStanzaTable(): Record<string, StanzaHandler> {
  return {
    iq: createIqRouter([...accountIqs, ...prekeyIqs, keyBundleIq, usyncIq, appStateIq, ...companionIqs]),
    message: handleClientMessage,
    receipt,
    ack: handleClientAck,
    ib: ignore,
    presence: ignore,
    chatstate: ignore,
    call: ignore,
  };
}
