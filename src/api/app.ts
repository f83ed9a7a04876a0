import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { SessionService } from '../sessions/index.js';
import { type ApiKeyResolver, type AuthEnv, requireApiKey } from './auth.js';
import { forwardToOwner, type SessionRouter } from './forwarding.js';
import { onError, sendError, validationHook } from './errors.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes, type HealthProvider } from './routes/health.js';
import { nodeRoutes } from './routes/nodes.js';
import type { NodeDirectory } from '../cluster/index.js';
import { sessionRoutes } from './routes/sessions.js';

export interface AppDeps {
  logger: Logger;
  auth: ApiKeyResolver;
  sessions: SessionService;
  events: EventBus;
  nodes: NodeDirectory;
  /** Cluster mode: sends calls that need a session's live connection to the node that owns it. */
  router?: SessionRouter;
  health: HealthProvider;
  maxBodyBytes: number;
  /** Extra route groups (messages, webhooks, …) mounted under /v1 by their own modules. */
  extensions?: Array<(app: OpenAPIHono<AuthEnv>) => void>;
  /** Serves the dashboard's static files at `/` when set. */
  staticSite?: (app: OpenAPIHono<AuthEnv>) => void;
  version?: string;
}

export type App = OpenAPIHono<AuthEnv>;

/** The HTTP app as a function of its services; tests call `app.request()` without a port. */
export function createApp(deps: AppDeps): App {
  const app = new OpenAPIHono<AuthEnv>({ defaultHook: validationHook });
  app.onError(onError(deps.logger));
  app.notFound((c) => sendError(c, 'not_found', `no route for ${c.req.method} ${c.req.path}`));

  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: deps.maxBodyBytes,
      onError: (c) => {
        // the rest of the body is not read: the connection can't carry another request
        c.header('Connection', 'close');
        return sendError(c, 'payload_too_large', `request body is larger than ${deps.maxBodyBytes} bytes`);
      },
    }),
  );
  app.use('/v1/*', requireApiKey(deps.auth));
  if (deps.router) app.use('/v1/sessions/*', forwardToOwner(deps.router));
  app.use('/v1/*', async (c, next) => {
    const method = c.req.method;
    if ((method === 'POST' || method === 'PUT' || method === 'PATCH') && c.req.header('content-length') !== '0') {
      const type = c.req.header('content-type') ?? '';
      const hasBody = c.req.header('content-length') !== undefined || c.req.header('transfer-encoding') !== undefined;
      if (hasBody && type && !/^application\/(.+\+)?json\b/i.test(type)) {
        return sendError(c, 'unsupported_media_type', `send JSON with Content-Type: application/json (got '${type}')`);
      }
    }
    await next();
  });

  healthRoutes(app, deps.health);
  sessionRoutes(app, deps.sessions);
  eventRoutes(app, deps.events);
  nodeRoutes(app, deps.nodes);
  for (const ext of deps.extensions ?? []) ext(app);

  app.doc('/openapi.json', {
    openapi: '3.0.3',
    info: {
      title: 'kirim',
      version: deps.version ?? '0.1.0',
      description: 'Self-hosted WhatsApp gateway: sessions, messages, live events and signed webhooks.',
    },
    security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/openapi.json',
    tags: ['Health'],
    summary: 'This OpenAPI 3 document (no auth)',
    security: [],
    responses: { 200: { description: 'The OpenAPI document', content: { 'application/json': { schema: { type: 'object' } } } } },
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKeyHeader', { type: 'apiKey', in: 'header', name: 'X-Api-Key' });

  deps.staticSite?.(app);
  return app;
}
