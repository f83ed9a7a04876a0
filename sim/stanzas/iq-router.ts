import type { BinaryNode } from '../binary/node-codec.js';
import { childNodes } from '../binary/node-content.js';
import type { ClientConnection } from '../connection/client-connection.js';
import type { SimContext } from '../context.js';
import { iqError, IqError, iqResult } from './iq-reply.js';
import type { IqRoute } from './iq-route.js';

/**
 * Answers client iqs from a table keyed by `xmlns`, `type` and first child. Unknown iqs get an empty
 * result (so no client query hangs), a debug log line and a count in `GET /admin/stats`
 * (`unhandledIqs`, `unhandledIqKinds`), so a test can tell when a client asks something unanswered.
 */
export function createIqRouter(routes: IqRoute[]) {
  const table = new Map<string, IqRoute>();
  for (const route of routes) table.set(`${route.xmlns}|${route.type}|${route.child}`, route);

  return async function routeIq(ctx: SimContext, conn: ClientConnection, iq: BinaryNode): Promise<void> {
    const { xmlns = '', type = '' } = iq.attrs;
    if (type === 'result' || type === 'error') {
      ctx.logger.debug({ conn: conn.id, id: iq.attrs.id, type }, 'unsolicited iq reply ignored');
      return;
    }
    const first = childNodes(iq)[0]?.tag ?? '';
    const route = table.get(`${xmlns}|${type}|${first}`) ?? table.get(`${xmlns}|${type}|*`);
    if (!route) {
      ctx.logger.debug({ conn: conn.id, xmlns, type, child: first }, 'unknown iq answered with an empty result');
      ctx.stats.unhandledIq(xmlns, type, first);
      conn.send(iqResult(iq));
      return;
    }
    if (route.needsDevice && !conn.device) {
      conn.send(iqError(iq, 401, 'not-authorized'));
      return;
    }
    try {
      const content = await route.handle({ ctx, conn, iq, device: conn.device! });
      conn.send(iqResult(iq, content || undefined));
    } catch (err) {
      if (!(err instanceof IqError)) throw err;
      ctx.logger.debug({ conn: conn.id, xmlns, type, child: first, err: err.message }, 'iq answered with an error');
      conn.send(iqError(iq, err.code, err.text));
    }
  };
}
