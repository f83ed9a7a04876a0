import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

/**
 * Sortable, URL-safe ids: 10 chars of millisecond time + 16 chars of randomness, with a prefix
 * naming the kind (`ses_…`, `msg_…`, `evt_…`). Ids made in the same millisecond are still unique.
 */
export function newId(prefix: string, now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const rnd = randomBytes(10);
  let rand = '';
  for (let i = 0; i < 16; i++) {
    const bit = i * 5;
    const byte = bit >> 3;
    const v = ((rnd[byte] << 8) | (rnd[byte + 1] ?? 0)) >> (11 - (bit & 7));
    rand += ALPHABET[v & 31];
  }
  return `${prefix}_${time}${rand}`;
}
