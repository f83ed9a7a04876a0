import { createRoute, z, type RouteConfig } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { App } from '../app.js';
import { sendError } from '../errors.js';
import { errorResponses, json } from '../schemas.js';

export interface SandboxInfo {
  url: string;
}

const PROXY_TIMEOUT_MS = 15_000;
const tags = ['Sandbox'];
const OFF = 'sandbox mode is off: start the gateway with KIRIM_SANDBOX=1 (or KIRIM_SANDBOX_URL) to use the simulator';

const Digits = z.string().regex(/^\d{5,20}$/, 'must be a phone number of 5 to 20 digits, country code first');
const PhoneParam = z.object({ phone: Digits.openapi({ param: { name: 'phone', in: 'path' }, example: '15550001111' }) });
const body = <T extends z.ZodTypeAny>(schema: T) => ({ content: { 'application/json': { schema } }, required: true });

const Linked = z
  .object({ phone: z.string(), jid: z.string(), lid: z.string().nullable(), deviceId: z.number().int() })
  .passthrough()
  .openapi('SandboxLinkedDevice');
const ScanBody = z
  .object({
    qr: z.string().min(1).max(4096).openapi({ description: 'The QR string of a session waiting for a scan (GET /v1/sessions/{id}/qr)' }),
    phone: Digits.optional().openapi({ description: 'The simulated phone that scans; created if new, random if omitted' }),
    name: z.string().min(1).max(100).optional().openapi({ description: "The simulated phone's push name" }),
  })
  .strict()
  .openapi('SandboxScan');
const PairingCodeBody = z
  .object({ phone: Digits, code: z.string().min(1).max(32).openapi({ example: 'ABCD-1234' }) })
  .strict()
  .openapi('SandboxPairingCode');
const SendBody = z
  .object({
    to: Digits.openapi({ description: 'The account (one of your linked numbers) that receives the text' }),
    text: z.string().min(1).max(65_536),
    addressing: z.enum(['lid', 'pn']).optional().openapi({ description: "How the message is addressed to the account's devices (default lid)" }),
  })
  .strict()
  .openapi('SandboxContactSend');
const ReadBody = z.object({ messageIds: z.array(z.string().min(1).max(128)).min(1).max(1000) }).strict().openapi('SandboxContactRead');
const InboxMessage = z
  .object({
    id: z.string(),
    from: z.string(),
    to: z.string(),
    text: z.string().nullable(),
    type: z.string(),
    timestamp: z.number().openapi({ description: 'unix seconds' }),
    read: z.boolean(),
  })
  .passthrough()
  .openapi('SandboxInboxMessage');
const Stats = z
  .object({
    connections: z.number().int().openapi({ description: 'WebSocket connections open now' }),
    handshakes: z.number().int().openapi({ description: 'Encrypted (Noise) logins completed since the simulator started' }),
    conflicts: z.number().int().openapi({ description: 'Times one device was connected twice at once (the older connection was cut)' }),
    messages: z.number().int().openapi({ description: 'Messages routed' }),
  })
  .passthrough()
  .openapi('SandboxStats');
const Account = z
  .object({ phone: z.string(), lid: z.string(), pushName: z.string().nullable(), onlineDevices: z.number().int() })
  .passthrough()
  .openapi('SandboxAccount');

type Route = { method: 'get' | 'post'; path: string; summary: string; params?: boolean; body?: z.ZodTypeAny; answer: z.ZodTypeAny; errors: number[] };

/**
 * The simulator's admin API (CONTRACT §4) that the dashboard and scripts use, each call declared
 * here with its schema and forwarded to `<sim>/admin/...` under the gateway's own origin and auth
 * (no CORS, no second credential). Nothing else under /v1/sandbox/admin is passed through.
 */
const ROUTES: Route[] = [
  { method: 'get', path: '/root-key', summary: "The key the simulator's certificate chain is signed with", answer: z.object({ publicKey: z.string() }), errors: [] },
  { method: 'get', path: '/stats', summary: "The simulator's counters", answer: Stats, errors: [] },
  {
    method: 'get',
    path: '/accounts',
    summary: 'Simulated phones that linked a device',
    answer: z.object({ accounts: z.array(Account) }),
    errors: [],
  },
  { method: 'post', path: '/scan', summary: 'A simulated phone scans a QR code and links the device', body: ScanBody, answer: Linked, errors: [400, 404, 409] },
  { method: 'post', path: '/pairing-code', summary: 'A simulated phone enters a pairing code', body: PairingCodeBody, answer: Linked, errors: [400, 404, 409] },
  {
    method: 'post',
    path: '/contacts/{phone}/send',
    summary: 'Simulated contact {phone} sends a text to one of your linked numbers',
    params: true,
    body: SendBody,
    answer: z.object({ messageId: z.string() }),
    errors: [400, 404],
  },
  {
    method: 'get',
    path: '/contacts/{phone}/inbox',
    summary: 'What simulated contact {phone} received, decrypted',
    params: true,
    answer: z.object({ messages: z.array(InboxMessage) }),
    errors: [400],
  },
  {
    method: 'post',
    path: '/contacts/{phone}/read',
    summary: 'Simulated contact {phone} reads messages (read receipts)',
    params: true,
    body: ReadBody,
    answer: z.object({ read: z.array(z.string()), unknown: z.array(z.string()) }),
    errors: [400, 404],
  },
  {
    method: 'post',
    path: '/accounts/{phone}/logout',
    summary: 'The phone of account {phone} unlinks all its devices (they get a logged-out close)',
    params: true,
    answer: z.object({ phone: z.string(), removedDevices: z.number().int() }).passthrough(),
    errors: [400, 404],
  },
  {
    method: 'post',
    path: '/accounts/{phone}/drop',
    summary: "Cuts every socket of account {phone} without a goodbye (a network failure)",
    params: true,
    answer: z.object({ phone: z.string(), droppedConnections: z.number().int() }).passthrough(),
    errors: [400, 404],
  },
];

/** Sandbox mode: whether it is on (`GET /v1/sandbox`), and the simulator admin calls of ROUTES. */
export function sandboxRoutes(app: App, sandbox: SandboxInfo | undefined): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/sandbox',
      tags,
      summary: 'Whether sessions talk to the WhatsApp simulator (sandbox mode)',
      responses: { 200: json(z.object({ enabled: z.boolean(), url: z.string().nullable() }).openapi('SandboxInfo'), 'Sandbox mode'), ...errorResponses(401) },
    }),
    (c) => c.json({ enabled: !!sandbox, url: sandbox?.url ?? null }, 200),
  );

  // Off: every admin call is a 404 that says why, before any body is looked at.
  app.use('/v1/sandbox/admin/*', async (c, next) => {
    if (!sandbox) return sendError(c, 'not_found', OFF);
    await next();
  });

  for (const r of ROUTES) {
    const config: RouteConfig = {
      method: r.method,
      path: `/v1/sandbox/admin${r.path}`,
      tags,
      summary: r.summary,
      description: `Sandbox mode only (404 otherwise): the simulator's \`${r.method.toUpperCase()} /admin${r.path}\`.`,
      request: { ...(r.params ? { params: PhoneParam } : {}), ...(r.body ? { body: body(r.body) } : {}) },
      responses: { 200: json(r.answer, "The simulator's answer"), ...errorResponses(...r.errors, 401, 503) },
    };
    // Validated against the schemas above before this runs; the answer is the simulator's own.
    const handler = async (c: Context) => {
      const path = r.path.replace('{phone}', r.params ? c.req.param('phone')! : '');
      return forward(c, sandbox!, r.method, `/admin${path}`, r.body ? await c.req.json() : undefined);
    };
    app.openapi(createRoute(config), handler as never);
  }

  app.all('/v1/sandbox/admin/*', (c) => {
    const known = ROUTES.map((r) => `${r.method.toUpperCase()} ${r.path}`).join(', ');
    return sendError(c, 'not_found', `${c.req.method} ${c.req.path} is not part of the sandbox API; it offers ${known} under /v1/sandbox/admin`);
  });
}

async function forward(c: Context, sandbox: SandboxInfo, method: string, path: string, payload: unknown): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(`${sandbox.url}${path}`, {
      method: method.toUpperCase(),
      ...(payload === undefined ? {} : { body: JSON.stringify(payload), headers: { 'content-type': 'application/json' } }),
      signal: AbortSignal.timeout(PROXY_TIMEOUT_MS),
    });
  } catch (err) {
    return sendError(c, 'unavailable', `the simulator at ${sandbox.url} did not answer: ${(err as Error).message}`);
  }
  const text = await res.text();
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    return sendError(c, 'unavailable', `the simulator at ${sandbox.url} answered ${res.status} without JSON`);
  }
  if (res.status >= 500) {
    const why = (answer as { error?: { message?: string } })?.error?.message ?? `HTTP ${res.status}`;
    return sendError(c, 'unavailable', `the simulator at ${sandbox.url} failed: ${why}`);
  }
  return c.json(answer as object, res.status as ContentfulStatusCode);
}
