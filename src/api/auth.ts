import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { sendError } from './errors.js';

export interface Principal {
  workspaceId: string;
  /** 'admin' keys manage everything (nodes, all workspaces' operations in this workspace). */
  role: 'admin';
}

export interface ApiKeyResolver {
  resolve(key: string): Principal | null;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The admin key from configuration (or generated on first start) → the default workspace. */
export function staticKeyResolver(adminKey: string, workspaceId: string): ApiKeyResolver {
  return hashedKeyResolver(digest(adminKey).toString('hex'), workspaceId);
}

/** The same, knowing only the key's SHA-256 (hex) — what cluster mode keeps in the database. */
export function hashedKeyResolver(sha256Hex: string, workspaceId: string): ApiKeyResolver {
  const expected = Buffer.from(sha256Hex, 'hex');
  return {
    resolve(key) {
      return timingSafeEqual(digest(key), expected) ? { workspaceId, role: 'admin' } : null;
    },
  };
}

export type AuthEnv = { Variables: { principal: Principal } };

/** `Authorization: Bearer <key>` or `X-Api-Key: <key>` (SSE clients may also pass `?api_key=`). */
export function requireApiKey(resolver: ApiKeyResolver): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    let key = header?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim() ?? c.req.header('x-api-key')?.trim();
    if (!key && c.req.method === 'GET' && c.req.path === '/v1/events') key = c.req.query('api_key') ?? undefined;
    if (!key) return sendError(c, 'unauthorized', 'missing API key: send Authorization: Bearer <key> or X-Api-Key');
    const principal = resolver.resolve(key);
    if (!principal) return sendError(c, 'unauthorized', 'invalid API key');
    c.set('principal', principal);
    await next();
  };
}
