import dns from 'node:dns';
import net from 'node:net';
import { AppError } from '../core/errors.js';
import { describePrivateAddress } from './private-address.js';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Host name → addresses (injectable so tests can simulate DNS without leaving loopback). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

export const MAX_URL_LENGTH = 2048;

const ALLOW_HINT = 'webhook URLs must reach a public address (set KIRIM_ALLOW_PRIVATE_URLS=1 to allow private networks)';

/** The URL's host without IPv6 brackets or a trailing dot, lower case. */
export const bareHost = (u: URL) => u.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();

/** Refusal for an address that is not public: thrown at creation, recorded at delivery. */
export function privateAddressError(host: string, address: string, why: string): AppError {
  const via = host === address ? '' : ` resolves to ${address}, which`;
  return new AppError('private_url_refused', `url: ${host}${via} is a ${why} address; ${ALLOW_HINT}`);
}

/** The form checks every webhook URL must pass, whatever `allowPrivateUrls` says. */
export function parseWebhookUrl(raw: string): URL {
  if (raw.length > MAX_URL_LENGTH) throw new AppError('validation_failed', `url: must be at most ${MAX_URL_LENGTH} characters`);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new AppError('validation_failed', 'url: must be an absolute http:// or https:// URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new AppError('validation_failed', `url: the scheme must be http or https (got '${u.protocol.replace(/:$/, '')}')`);
  }
  if (u.username || u.password) throw new AppError('validation_failed', 'url: must not contain a user name or password');
  if (!bareHost(u)) throw new AppError('validation_failed', 'url: must name a host');
  return u;
}

/**
 * Refuses, at creation, a URL whose host is or resolves to a non-public address. A host that
 * does not resolve now is accepted: the delivery-time guard checks every connection anyway.
 */
export async function checkWebhookUrl(raw: string, opts: { allowPrivateUrls: boolean; resolve: Resolver }): Promise<URL> {
  const u = parseWebhookUrl(raw);
  if (opts.allowPrivateUrls) return u;
  const host = bareHost(u);
  if (host === 'localhost' || host.endsWith('.localhost')) throw privateAddressError(host, host, 'loopback');
  if (net.isIP(host)) {
    const why = describePrivateAddress(host);
    if (why) throw privateAddressError(host, host, why);
    return u;
  }
  let addresses: ResolvedAddress[] = [];
  try {
    addresses = await opts.resolve(host);
  } catch {
    return u;
  }
  for (const { address } of addresses) {
    const why = describePrivateAddress(address);
    if (why) throw privateAddressError(host, address, why);
  }
  return u;
}
