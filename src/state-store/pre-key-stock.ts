import { isZero, PRE_KEY_BYTES, type PreKeyBlock } from './auth-snapshot.js';

/** Most slots the stock ever spans (128 KB); beyond it the lowest ids are dropped. */
export const MAX_PRE_KEY_SLOTS = 4096;

/**
 * Pre-key private keys packed in one Buffer, 32 bytes per id from `firstId` on (an all-zero slot
 * is an absent key). No per-key objects: public keys are derived when Baileys asks (x25519.ts).
 */
export class PreKeyStock {
  private firstId: number;
  private keys: Buffer;
  private present: number;

  constructor(block?: PreKeyBlock) {
    if (block && block.privateKeys.length % PRE_KEY_BYTES !== 0) throw new RangeError('pre-key block is not a whole number of keys');
    this.firstId = block?.firstId ?? 0;
    this.keys = block ? copyOf(block.privateKeys) : Buffer.alloc(0);
    this.present = this.count();
  }

  private get slots(): number {
    return this.keys.length / PRE_KEY_BYTES;
  }

  get size(): number {
    return this.present;
  }

  /** A copy of the private key, or undefined. */
  get(id: number): Buffer | undefined {
    const i = id - this.firstId;
    if (!Number.isInteger(i) || i < 0 || i >= this.slots || isZero(this.keys, i)) return undefined;
    return Buffer.from(this.keys.subarray(i * PRE_KEY_BYTES, (i + 1) * PRE_KEY_BYTES));
  }

  /** Stores many keys with one allocation at most. */
  setMany(entries: ReadonlyArray<readonly [number, Uint8Array]>): void {
    if (entries.length === 0) return;
    let lo = Infinity;
    let hi = -Infinity;
    for (const [id, key] of entries) {
      if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`bad pre-key id ${id}`);
      if (key.length !== PRE_KEY_BYTES || isZero(key, 0)) throw new RangeError(`bad pre-key private key for id ${id}`);
      lo = Math.min(lo, id);
      hi = Math.max(hi, id);
    }
    this.cover(lo, hi);
    for (const [id, key] of entries) {
      const i = id - this.firstId;
      if (i < 0) continue; // dropped by the span bound
      if (isZero(this.keys, i)) this.present++;
      this.keys.set(key, i * PRE_KEY_BYTES);
    }
  }

  delete(id: number): boolean {
    const i = id - this.firstId;
    if (!Number.isInteger(i) || i < 0 || i >= this.slots || isZero(this.keys, i)) return false;
    this.keys.fill(0, i * PRE_KEY_BYTES, (i + 1) * PRE_KEY_BYTES);
    this.present--;
    return true;
  }

  /** Drops every key with an id below `minId`; returns how many went. */
  pruneBelow(minId: number): number {
    const drop = Math.min(Math.max(0, minId - this.firstId), this.slots);
    if (drop === 0) return 0;
    let gone = 0;
    for (let i = 0; i < drop; i++) if (!isZero(this.keys, i)) gone++;
    this.firstId += drop;
    this.keys = copyOf(this.keys.subarray(drop * PRE_KEY_BYTES));
    this.present -= gone;
    this.compact();
    return gone;
  }

  clear(): void {
    this.keys = Buffer.alloc(0);
    this.present = 0;
  }

  /** The stock as stored (a view, valid until the next change). */
  block(): PreKeyBlock {
    return { firstId: this.firstId, privateKeys: this.keys };
  }

  /** Grows the slot range to include [lo, hi], dropping the lowest ids if it would span too much. */
  private cover(lo: number, hi: number): void {
    if (this.present === 0) {
      this.firstId = lo;
      this.keys = Buffer.alloc(0);
    }
    const end = Math.max(this.firstId + this.slots, hi + 1);
    const first = Math.max(Math.min(this.firstId, lo), end - MAX_PRE_KEY_SLOTS);
    if (first === this.firstId && end === this.firstId + this.slots) return;
    const next = Buffer.alloc((end - first) * PRE_KEY_BYTES);
    const from = Math.max(this.firstId, first);
    if (from < this.firstId + this.slots) this.keys.copy(next, (from - first) * PRE_KEY_BYTES, (from - this.firstId) * PRE_KEY_BYTES);
    this.firstId = first;
    this.keys = next;
    this.present = this.count();
  }

  private count(): number {
    let n = 0;
    for (let i = 0; i < this.slots; i++) if (!isZero(this.keys, i)) n++;
    return n;
  }

  /** Trims absent slots at both ends so the range stays tight. */
  private compact(): void {
    let start = 0;
    let end = this.slots;
    while (start < end && isZero(this.keys, start)) start++;
    while (end > start && isZero(this.keys, end - 1)) end--;
    if (start === 0 && end === this.slots) return;
    this.firstId = start === end ? this.firstId : this.firstId + start;
    this.keys = start === end ? Buffer.alloc(0) : copyOf(this.keys.subarray(start * PRE_KEY_BYTES, end * PRE_KEY_BYTES));
  }
}

const copyOf = (b: Uint8Array) => {
  const out = Buffer.alloc(b.length);
  out.set(b);
  return out;
};
