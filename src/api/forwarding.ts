import type { MiddlewareHandler } from 'hono';
import type { AuthEnv } from './auth.js';
import { sendError } from './errors.js';

/** Where a session's live operations are answered (cluster mode). */
export interface SessionRouter {
  /** This node's id. */
  readonly nodeId: string;
  /** The owner when another, live node runs the session; `down` when its node is dead; null to answer here. */
  route(sessionId: string): Promise<{ url: string; nodeId: string } | { down: string } | null>;
}

/** Set on a forwarded request (the forwarding node's id): the receiver answers it itself. */
export const FORWARDED_HEADER = 'x-kirim-forwarded-by';
/** Set on a forwarded answer: the id of the node that answered it. */
export const ANSWERED_BY_HEADER = 'x-kirim-node';
/** Seconds a caller should wait before retrying when the owner is down (its sessions move within a lease time). */
const RETRY_AFTER_S = '2';
const HOP_HEADERS = ['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive'];

/** Requests that need the session's live connection: everything but reads from the database. */
function needsOwner(method: string, rest: string): boolean {
  if (method === 'GET') return rest === '/qr';
  if (method === 'PATCH') return false;
  return true; // start/stop/logout/delete, pairing-code, messages, chats/…/read
}

/**
 * Any node answers any call: calls that need a session's live connection go to the node that owns
 * it (once — a forwarded request is never forwarded again, so two nodes that disagree about the
 * owner can't bounce a request between them). When the owner is down, stop, logout and delete are
 * done here (they are database work, plus a brief connection to unlink a device); the rest answer
 * 503 with Retry-After, since the session moves to a live node within about a lease time.
 */
export function forwardToOwner(router: SessionRouter): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const m = c.req.path.match(/^\/v1\/sessions\/([^/]+)(\/.*)?$/);
    if (!m || c.req.header(FORWARDED_HEADER) || !needsOwner(c.req.method, m[2] ?? '')) return next();
    const where = await router.route(m[1]);
    if (!where) return next();
    if ('down' in where) {
      if (c.req.method === 'DELETE' || /^\/(stop|logout)$/.test(m[2] ?? '')) return next();
      c.header('retry-after', RETRY_AFTER_S);
      return sendError(c, 'unavailable', `the node running this session (${where.down}) is down; the session moves to another node within seconds — retry`);
    }
    const url = new URL(c.req.url);
    const headers = new Headers(c.req.raw.headers);
    for (const h of HOP_HEADERS) headers.delete(h);
    headers.set(FORWARDED_HEADER, router.nodeId);
    let res: Response;
    try {
      res = await fetch(`${where.url}${url.pathname}${url.search}`, {
        method: c.req.method,
        headers,
        body: c.req.method === 'GET' || c.req.method === 'HEAD' ? undefined : await c.req.arrayBuffer(),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      c.header('retry-after', RETRY_AFTER_S);
      return sendError(c, 'unavailable', `the node running this session (${where.nodeId}) did not answer (${(err as Error).message}); retry`);
    }
    const out = new Headers(res.headers);
    out.delete('content-encoding');
    out.delete('content-length');
    out.set(ANSWERED_BY_HEADER, where.nodeId);
    return new Response(res.body, { status: res.status, headers: out });
  };
}
