import type { ConnectionHandlers } from './connection/client-connection.js';
import { login, type AfterLoginHook } from './connection/login.js';
import type { SimContext } from './context.js';
import { sendHistorySync } from './messaging/phone-sends.js';
import { startRegistration } from './pairing/start-registration.js';
import { createStanzaRouter } from './stanzas/stanza-router.js';
import { createStanzaTable } from './stanzas/stanza-table.js';

/** Until a companion confirmed its (empty) history from its phone, every login hands it over again. */
const handOverHistory: AfterLoginHook = (ctx, conn, device) => {
  if (device.historySynced) return;
  sendHistorySync(ctx, conn).catch((err: unknown) => ctx.logger.warn({ err, ...conn.device }, 'history sync hand-off failed'));
};

/**
 * What every client connection does: after the Noise handshake, a registration payload starts linking
 * and a login payload logs the device in; then stanzas go through the tag → handler table.
 */
export function connectionHandlers(ctx: SimContext): ConnectionHandlers {
  const routeStanza = createStanzaRouter(createStanzaTable());
  return {
    onHandshake(conn, { payload }) {
      ctx.stats.handshakes++;
      if (payload.devicePairingData) startRegistration(ctx, conn, payload);
      else if (payload.username !== null && payload.username !== undefined) login(ctx, conn, payload, handOverHistory);
      else conn.closeWith({ tag: 'failure', attrs: { reason: '400', location: 'sim' } });
    },
    onStanza: (conn, node) => routeStanza(ctx, conn, node),
    onClose(conn) {
      ctx.stats.connections--;
      ctx.online.detach(conn);
      ctx.registrations.remove(conn);
    },
  };
}
