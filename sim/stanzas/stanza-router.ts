import type { BinaryNode } from '../binary/node-codec.js';
import type { ClientConnection } from '../connection/client-connection.js';
import type { SimContext } from '../context.js';
import type { StanzaHandler } from './stanza-handler.js';

/** Stanzas a companion may send before it is linked (it answers `pair-device` and pings). */
const BEFORE_LOGIN = new Set(['iq']);

/** Dispatches client stanzas by tag; unknown tags are logged at debug level and dropped. */
export function createStanzaRouter(table: Record<string, StanzaHandler>) {
  return async function routeStanza(ctx: SimContext, conn: ClientConnection, node: BinaryNode): Promise<void> {
    const handler = Object.hasOwn(table, node.tag) ? table[node.tag] : undefined;
    if (!handler) {
      ctx.logger.debug({ conn: conn.id, tag: node.tag, attrs: node.attrs }, 'unknown stanza ignored');
      return;
    }
    if (!conn.device && !BEFORE_LOGIN.has(node.tag)) {
      ctx.logger.debug({ conn: conn.id, tag: node.tag }, 'stanza before login ignored');
      return;
    }
    await handler(ctx, conn, node);
  };
}
