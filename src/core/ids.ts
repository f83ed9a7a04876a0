import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

let lastTime = -1;
let lastRandom: number[] = [];

/**
 * Sortable, URL-safe ids: 10 chars of millisecond time + 16 chars of randomness, with a prefix
 * naming the kind (`ses_…`, `msg_…`, `evt_…`). Ids made in the same millisecond are still unique,
 * and sort in the order they were made (the random part counts up), so rows ordered by time and
 * id keep their arrival order.
 */
export function newId(prefix: string, now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let digits: number[];
  if (now === lastTime) {
    digits = [...lastRandom];
    for (let i = 15; i >= 0 && ++digits[i] === 32; i--) digits[i] = 0;
  } else {
    const rnd = randomBytes(10);
    digits = [];
    for (let i = 0; i < 16; i++) {
      const bit = i * 5;
      const byte = bit >> 3;
      digits.push((((rnd[byte] << 8) | (rnd[byte + 1] ?? 0)) >> (11 - (bit & 7))) & 31);
    }
  }
  lastTime = now;
  lastRandom = digits;
  return `${prefix}_${time}${digits.map((d) => ALPHABET[d]).join('')}`;
}
