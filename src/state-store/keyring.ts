import { createHash, randomBytes } from 'node:crypto';

export const STATE_KEY_BYTES = 32;
export const KEY_ID_BYTES = 4;

export interface StateKey {
  /** 4 bytes naming the key in envelopes (a hash of it; it reveals nothing about the key). */
  readonly id: Buffer;
  readonly key: Buffer;
}

/**
 * The keys that encrypt session state: one current key (every write uses it) and any number of
 * previous ones (accepted for reading, so `state rotate-key` and the vault can re-encrypt).
 */
export class Keyring {
  readonly current: StateKey;
  private readonly all: StateKey[];

  constructor(current: Buffer, previous: readonly Buffer[] = []) {
    this.current = toStateKey(current);
    this.all = [this.current];
    for (const k of previous) {
      const sk = toStateKey(k);
      if (!this.all.some((x) => x.key.equals(sk.key))) this.all.push(sk);
    }
  }

  static generate(): Keyring {
    return new Keyring(randomBytes(STATE_KEY_BYTES));
  }

  /** Keys whose id matches (normally one; ids are 32 bits, so a clash is possible but harmless). */
  find(id: Uint8Array): StateKey[] {
    return this.all.filter((k) => k.id.equals(id));
  }

  isCurrent(id: Uint8Array): boolean {
    return this.current.id.equals(id);
  }

  get size(): number {
    return this.all.length;
  }
}

export function keyId(key: Buffer): Buffer {
  return createHash('sha256').update('kirim state key id\0').update(key).digest().subarray(0, KEY_ID_BYTES);
}

function toStateKey(key: Buffer): StateKey {
  if (key.length !== STATE_KEY_BYTES) throw new RangeError(`a state key has ${STATE_KEY_BYTES} bytes, got ${key.length}`);
  return { id: keyId(key), key: Buffer.from(key) };
}
