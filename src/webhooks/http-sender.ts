import http from 'node:http';
import https from 'node:https';
import { guardedLookup, refuseLiteralAddress } from './guarded-lookup.js';
import { bareHost, type Resolver } from './url-guard.js';

export interface SendRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  signal?: AbortSignal;
}

/** The receiver's answer (any status), or why there was none (refused, timed out, …). */
export type SendResult = { status: number; body: string } | { error: string };

export interface Sender {
  send(req: SendRequest): Promise<SendResult>;
  close(): void;
}

export interface HttpSenderOptions {
  allowPrivateUrls: boolean;
  resolve: Resolver;
  timeoutMs: number;
  /** Connections kept per receiver host. */
  maxSockets: number;
}

/** How much of a receiver's answer is kept for the delivery's `lastError`. */
const BODY_SNIPPET_BYTES = 300;

/**
 * POSTs webhook requests with node's http/https: every connection goes through the SSRF
 * guard, redirects are not followed, and the whole exchange is bounded by `timeoutMs`.
 */
export function createHttpSender(opts: HttpSenderOptions): Sender {
  const agentOptions = { keepAlive: true, maxSockets: opts.maxSockets };
  const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };
  const lookup = guardedLookup(opts.resolve, opts.allowPrivateUrls);

  const send = (req: SendRequest) =>
    new Promise<SendResult>((resolve) => {
      let url: URL;
      try {
        url = new URL(req.url);
      } catch {
        return resolve({ error: 'the webhook URL is not valid' });
      }
      const refused = refuseLiteralAddress(bareHost(url), opts.allowPrivateUrls);
      if (refused) return resolve({ error: refused.message });
      const transport = url.protocol === 'https:' ? https : http;
      const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:'];
      const body = Buffer.from(req.body);
      const request = transport.request(url, {
        method: 'POST',
        headers: { ...req.headers, 'content-length': String(body.length) },
        agent,
        lookup,
      });
      const timer = setTimeout(() => request.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)), opts.timeoutMs);
      const onAbort = () => request.destroy(new Error('aborted: the gateway is shutting down'));
      req.signal?.addEventListener('abort', onAbort, { once: true });
      const finish = (result: SendResult) => {
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        resolve(result);
      };
      request.on('error', (err: NodeJS.ErrnoException) => finish({ error: describeError(err) }));
      request.on('response', (res) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on('data', (chunk: Buffer) => {
          if (kept < BODY_SNIPPET_BYTES) chunks.push(chunk);
          kept += chunk.length;
        });
        res.on('end', () => finish({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, BODY_SNIPPET_BYTES) }));
        res.on('error', (err: NodeJS.ErrnoException) => finish({ error: describeError(err) }));
      });
      request.end(body);
    });

  return {
    send,
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

function describeError(err: NodeJS.ErrnoException): string {
  if (err.code === 'ECONNREFUSED') return `connection refused (${err.message})`;
  return err.code && !err.message.includes(err.code) ? `${err.code}: ${err.message}` : err.message;
}
