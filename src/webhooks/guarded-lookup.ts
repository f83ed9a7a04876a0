import type { LookupAddress, LookupOptions } from 'node:dns';
import net from 'node:net';
import { describePrivateAddress } from './private-address.js';
import { privateAddressError, type Resolver } from './url-guard.js';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
export type LookupFunction = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

/**
 * A `lookup` for node's http/https requests that resolves the host once, refuses it when any
 * address is not public (unless allowed), and hands the socket exactly the addresses it vetted:
 * a DNS answer that changes after the check (rebinding) cannot redirect the connection.
 */
export function guardedLookup(resolve: Resolver, allowPrivateUrls: boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (found) => {
        const addresses = found.filter((a) => net.isIP(a.address));
        if (!allowPrivateUrls) {
          for (const { address } of addresses) {
            const why = describePrivateAddress(address);
            if (why) return callback(privateAddressError(hostname, address, why) as NodeJS.ErrnoException, '');
          }
        }
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = family ? addresses.filter((a) => a.family === family) : addresses;
        if (usable.length === 0) {
          const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          err.code = 'ENOTFOUND';
          return callback(err, '');
        }
        if (options.all) return callback(null, usable);
        callback(null, usable[0].address, usable[0].family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}

/** For IP-literal hosts node connects without a lookup, so they are vetted here instead. */
export function refuseLiteralAddress(host: string, allowPrivateUrls: boolean): Error | null {
  if (allowPrivateUrls || !net.isIP(host)) return null;
  const why = describePrivateAddress(host);
  return why ? privateAddressError(host, host, why) : null;
}
