import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { SimContext } from '../context.js';
import { AdminError } from './admin-error.js';
import type { AdminRoute } from './admin-route.js';
import { readJsonBody, sendError, sendJson } from './http-json.js';

interface CompiledRoute {
  route: AdminRoute;
  pattern: RegExp;
  names: string[];
}

function compile(route: AdminRoute): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((part) => (part.startsWith(':') ? (names.push(part.slice(1)), '([^/]+)') : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return { route, pattern: new RegExp(`^${source}/?$`), names };
}

/**
 * The admin HTTP API: JSON in and out, caller mistakes answered as 4xx `{"error":{code,message}}`.
 * Unexpected failures are logged and answered 500 without crashing the process.
 */
export function createAdminHandler(ctx: SimContext, routes: AdminRoute[], logger: Logger) {
  const compiled = routes.map(compile);
  return async function handleAdmin(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = decodePath(req.url ?? '/');
      const matches = compiled
        .map((c) => ({ c, match: c.pattern.exec(path) }))
        .filter((m): m is { c: CompiledRoute; match: RegExpExecArray } => m.match !== null);
      if (matches.length === 0) throw new AdminError(404, 'not_found', `no admin endpoint at ${path}`);
      const hit = matches.find((m) => m.c.route.method === req.method);
      if (!hit) {
        res.setHeader('allow', matches.map((m) => m.c.route.method).join(', '));
        throw new AdminError(405, 'method_not_allowed', `${req.method} is not allowed on ${path}`);
      }
      const params = Object.fromEntries(hit.c.names.map((name, i) => [name, hit.match[i + 1]]));
      const body = req.method === 'POST' ? await readJsonBody(req) : {};
      const response = await hit.c.route.handle({ ctx, params, body });
      sendJson(res, response.status ?? 200, response.body);
    } catch (err) {
      if (err instanceof AdminError) {
        if (err.status === 413) res.setHeader('connection', 'close');
        sendError(res, err);
        return;
      }
      logger.error({ err, method: req.method, url: req.url }, 'admin request failed');
      sendError(res, new AdminError(500, 'internal_error', 'the simulator failed to handle this request'));
    }
  };
}

function decodePath(url: string): string {
  const path = url.split('?')[0];
  try {
    return decodeURIComponent(path);
  } catch {
    throw new AdminError(400, 'bad_path', 'the request path is not valid URL encoding');
  }
}
