import type { EntrySource } from './auth-snapshot.js';

/**
 * Key entries of one type (sessions, identity keys, …) packed in one Buffer: each entry is
 * `varint length · bytes`, and the index maps an id to its offset (a small integer, no object
 * per entry). Replaced and deleted entries leave garbage that is compacted away once it is more
 * than half of the buffer. Values handed out are views, valid until the next change.
 */
export class EntryTable {
  private buf: Buffer;
  private used = 0;
  private garbage = 0;
  private readonly index = new Map<string, number>();

  constructor(initialBytes = 0) {
    this.buf = Buffer.alloc(initialBytes);
  }

  /** A packed copy of `source` (e.g. the views a decoded snapshot holds), in one allocation. */
  static from(source: EntrySource): EntryTable {
    let bytes = 0;
    for (const id of source.keys()) bytes += source.get(id)!.length + 5;
    const table = new EntryTable(bytes);
    for (const id of source.keys()) table.set(id, source.get(id)!);
    return table;
  }

  get size(): number {
    return this.index.size;
  }

  /** Bytes held (for measurements). */
  get capacity(): number {
    return this.buf.length;
  }

  keys(): IterableIterator<string> {
    return this.index.keys();
  }

  get(id: string): Buffer | undefined {
    const at = this.index.get(id);
    if (at === undefined) return undefined;
    const [len, start] = readLength(this.buf, at);
    return this.buf.subarray(start, start + len);
  }

  set(id: string, bytes: Uint8Array): void {
    this.drop(id);
    const need = 5 + bytes.length;
    if (this.used + need > this.buf.length) this.grow(need);
    const at = this.used;
    let pos = writeLength(this.buf, at, bytes.length);
    this.buf.set(bytes, pos);
    pos += bytes.length;
    this.used = pos;
    this.index.set(id, at);
  }

  delete(id: string): boolean {
    const had = this.drop(id);
    if (had && this.garbage * 2 > this.used) this.compact(0);
    return had;
  }

  clear(): void {
    this.index.clear();
    this.buf = Buffer.alloc(0);
    this.used = 0;
    this.garbage = 0;
  }

  private drop(id: string): boolean {
    const at = this.index.get(id);
    if (at === undefined) return false;
    const [len, start] = readLength(this.buf, at);
    this.garbage += start - at + len;
    this.index.delete(id);
    return true;
  }

  private grow(need: number): void {
    if (this.garbage * 2 > this.used) this.compact(need);
    if (this.used + need <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.used + need, Math.ceil(this.buf.length * 1.5), 256));
    this.buf.copy(next, 0, 0, this.used);
    this.buf = next;
  }

  /** Rewrites live entries into a fresh buffer with `extra` bytes of room. */
  private compact(extra: number): void {
    const live = this.used - this.garbage;
    const next = Buffer.alloc(Math.max(live + extra, Math.ceil(live * 1.25)));
    let pos = 0;
    for (const [id, at] of this.index) {
      const [len, start] = readLength(this.buf, at);
      const end = start + len;
      this.buf.copy(next, pos, at, end);
      this.index.set(id, pos);
      pos += end - at;
    }
    this.buf = next;
    this.used = pos;
    this.garbage = 0;
  }
}

function writeLength(buf: Buffer, at: number, n: number): number {
  while (n >= 0x80) {
    buf[at++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[at++] = n;
  return at;
}

function readLength(buf: Buffer, at: number): [number, number] {
  let n = 0;
  let shift = 0;
  for (;;) {
    const b = buf[at++];
    n |= (b & 0x7f) << shift;
    if (b < 0x80) return [n >>> 0, at];
    shift += 7;
  }
}
