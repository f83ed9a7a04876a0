import net from 'node:net';

/** A network range that a webhook must not reach, with the words we use to say why. */
interface Range {
  bytes: number[];
  prefix: number;
  kind: string;
}

const range = (ip: string, prefix: number, kind: string): Range => ({ bytes: parseIp(ip)!, prefix, kind });

/** IPv4 and IPv6 ranges in one table: an address only matches ranges of its own length. */
const RANGES: Range[] = [
  range('0.0.0.0', 8, '"this network" (0.0.0.0/8)'),
  range('10.0.0.0', 8, 'private (RFC 1918)'),
  range('100.64.0.0', 10, 'carrier-grade NAT (100.64.0.0/10)'),
  range('127.0.0.0', 8, 'loopback'),
  range('169.254.0.0', 16, 'link-local (cloud metadata lives here)'),
  range('172.16.0.0', 12, 'private (RFC 1918)'),
  range('192.0.0.0', 24, 'IETF protocol assignment'),
  range('192.0.2.0', 24, 'documentation'),
  range('192.168.0.0', 16, 'private (RFC 1918)'),
  range('198.18.0.0', 15, 'benchmarking'),
  range('198.51.100.0', 24, 'documentation'),
  range('203.0.113.0', 24, 'documentation'),
  range('224.0.0.0', 4, 'multicast'),
  range('240.0.0.0', 4, 'reserved or broadcast'),
  range('::', 128, 'unspecified'),
  range('::1', 128, 'loopback'),
  range('::', 96, 'IPv4-compatible (deprecated)'),
  range('100::', 64, 'discard-only'),
  range('2001:db8::', 32, 'documentation'),
  range('fc00::', 7, 'unique-local'),
  range('fe80::', 10, 'link-local'),
  range('fec0::', 10, 'site-local'),
  range('ff00::', 8, 'multicast'),
];

/** IPv6 prefixes that carry an IPv4 address: mapped, NAT64 (last 32 bits), 6to4 (bits 16–48). */
const EMBEDDED_V4: Array<{ prefix: Range; at: number }> = [
  { prefix: range('::ffff:0:0', 96, 'IPv4-mapped'), at: 12 },
  { prefix: range('64:ff9b::', 96, 'NAT64'), at: 12 },
  { prefix: range('2002::', 16, '6to4'), at: 2 },
];

/**
 * Why an IP address is not a public unicast address (e.g. `'loopback'`), or null when it is
 * public. Also answers for IPv4 addresses embedded in IPv6 forms (`::ffff:127.0.0.1`).
 * A string that is not an IP address at all is treated as not public.
 */
export function describePrivateAddress(ip: string): string | null {
  const bytes = parseIp(ip.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  if (!bytes) return 'not an IP address';
  for (const { prefix, at } of EMBEDDED_V4) {
    if (inRange(bytes, prefix)) {
      const inner = matchRange(bytes.slice(at, at + 4));
      return inner ? `${inner}, as ${prefix.kind} IPv6` : null;
    }
  }
  return matchRange(bytes);
}

function matchRange(bytes: number[]): string | null {
  for (const r of RANGES) if (inRange(bytes, r)) return r.kind;
  return null;
}

function inRange(bytes: number[], r: Range): boolean {
  if (bytes.length !== r.bytes.length) return false;
  let bits = r.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i] & mask) !== (r.bytes[i] & mask)) return false;
  }
  return true;
}

/** An IPv4 (4 bytes) or IPv6 (16 bytes) address, or null. */
function parseIp(ip: string): number[] | null {
  const family = net.isIP(ip);
  if (family === 4) return ip.split('.').map(Number);
  if (family !== 6) return null;
  let text = ip.toLowerCase();
  const dotted = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = text.slice(0, -dotted[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = [...headGroups, ...zeros, ...tailGroups].map((g) => Number.parseInt(g, 16));
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}
