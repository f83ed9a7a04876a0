import type { proto } from 'baileys';
import { SERVER_JID } from '../binary/jid.js';
import type { ClientConnection } from '../connection/client-connection.js';
import type { SimContext } from '../context.js';
import { InvalidRegistrationError, parseRegistration } from './registration-request.js';

/**
 * A companion without creds connected: remember what it registered and send it QR refs
 * (`<pair-device>`). It shows them one after the other and closes (408) when they run out.
 */
export function startRegistration(ctx: SimContext, conn: ClientConnection, payload: proto.ClientPayload): void {
  let request;
  try {
    request = parseRegistration(payload, conn.clientStatic!);
  } catch (err) {
    if (!(err instanceof InvalidRegistrationError)) throw err;
    ctx.logger.warn({ conn: conn.id, err: err.message }, 'invalid registration payload');
    conn.closeWith({ tag: 'failure', attrs: { reason: '400', location: 'sim' } });
    return;
  }
  const registration = ctx.registrations.add(conn, request);
  conn.send({
    tag: 'iq',
    attrs: { from: SERVER_JID, type: 'set', id: conn.newStanzaId(), xmlns: 'md' },
    content: [
      {
        tag: 'pair-device',
        attrs: {},
        content: registration.refs.map((ref) => ({ tag: 'ref', attrs: {}, content: Buffer.from(ref, 'utf8') })),
      },
    ],
  });
}
