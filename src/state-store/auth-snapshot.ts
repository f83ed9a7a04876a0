import { ByteReader, ByteWriter } from './bytes.js';
import { StateDecodeError } from './decode-error.js';
import { readValue, writeValue } from './value-codec.js';

/**
 * One session's auth state as the vault persists it, in the shape the Baileys adapter keeps in
 * memory (so taking a snapshot copies nothing):
 * - `creds`: Baileys' AuthenticationCreds, a plain value (see value-codec.ts);
 * - `preKeys`: the pre-key stock as private keys only (public keys are derived on demand);
 * - `keys`: every other Signal key entry, type → id → the entry in the value encoding
 *   (decoding returns Maps of views into the payload; the adapter copies them into EntryTables).
 */
export interface AuthSnapshot {
  creds: Record<string, unknown>;
  preKeys: PreKeyBlock;
  keys: ReadonlyMap<string, EntrySource>;
}

/** One key type's entries: a Map of id → encoded value, or an EntryTable (entry-table.ts). */
export interface EntrySource {
  readonly size: number;
  keys(): Iterable<string>;
  get(id: string): Uint8Array | undefined;
}

/** Pre-key private keys for ids `firstId …`, 32 bytes each; an all-zero slot is an absent key. */
export interface PreKeyBlock {
  firstId: number;
  privateKeys: Uint8Array;
}

export const PRE_KEY_BYTES = 32;
/** Payload versions this build reads; it writes the last one. */
export const PAYLOAD_V1 = 1;

/**
 * Payload v1: `u8 version · value creds · pre-keys · entries`, where pre-keys are
 * `varint firstId · varint slots · presence bitmap · 32 bytes per present key` and entries are
 * `varint types · (string type · varint n · (string id · length-prefixed entry)…)…`, types and ids
 * sorted so equal states encode to equal bytes.
 */
export function encodeAuthSnapshot(s: AuthSnapshot): Buffer {
  const w = new ByteWriter(4096 + s.preKeys.privateKeys.length);
  w.u8(PAYLOAD_V1);
  writeValue(w, s.creds, 0);
  writePreKeys(w, s.preKeys);
  const types = [...s.keys.keys()].filter((t) => (s.keys.get(t)?.size ?? 0) > 0).sort();
  w.varint(types.length);
  for (const type of types) {
    const entries = s.keys.get(type)!;
    w.string(type);
    w.varint(entries.size);
    for (const id of [...entries.keys()].sort()) {
      w.string(id);
      w.lenBytes(entries.get(id)!);
    }
  }
  return w.finish();
}

/** Entries come back as views of `payload` (one allocation for all of them). */
export function decodeAuthSnapshot(payload: Buffer): AuthSnapshot {
  const r = new ByteReader(payload, 'state payload');
  const version = r.u8();
  if (version !== PAYLOAD_V1) throw new StateDecodeError(`state payload version ${version} is not supported by this kirim`);
  const creds = readValue(r, 0);
  if (typeof creds !== 'object' || creds === null || Array.isArray(creds)) r.fail('creds are not an object');
  const preKeys = readPreKeys(r);
  const keys = new Map<string, Map<string, Uint8Array>>();
  const types = r.varint();
  for (let t = 0; t < types; t++) {
    const type = r.string();
    const n = r.varint();
    if (n > r.remaining) r.fail(`${n} entries cannot fit`);
    const entries = new Map<string, Uint8Array>();
    for (let i = 0; i < n; i++) {
      const id = r.string();
      entries.set(id, r.lenBytes());
    }
    keys.set(type, entries);
  }
  r.end();
  return { creds: creds as Record<string, unknown>, preKeys, keys };
}

function writePreKeys(w: ByteWriter, block: PreKeyBlock): void {
  const slots = Math.floor(block.privateKeys.length / PRE_KEY_BYTES);
  w.varint(block.firstId);
  w.varint(slots);
  const bitmap = Buffer.alloc(Math.ceil(slots / 8));
  for (let i = 0; i < slots; i++) if (!isZero(block.privateKeys, i)) bitmap[i >> 3] |= 1 << (i & 7);
  w.bytes(bitmap);
  for (let i = 0; i < slots; i++) {
    if (bitmap[i >> 3] & (1 << (i & 7))) w.bytes(block.privateKeys.subarray(i * PRE_KEY_BYTES, (i + 1) * PRE_KEY_BYTES));
  }
}

function readPreKeys(r: ByteReader): PreKeyBlock {
  const firstId = r.varint();
  const slots = r.varint();
  if (slots > r.remaining * 8) r.fail(`${slots} pre-key slots cannot fit`);
  const bitmap = r.bytes(Math.ceil(slots / 8));
  const privateKeys = Buffer.alloc(slots * PRE_KEY_BYTES);
  for (let i = 0; i < slots; i++) {
    if (bitmap[i >> 3] & (1 << (i & 7))) {
      const key = r.bytes(PRE_KEY_BYTES);
      if (isZero(key, 0)) r.fail('an all-zero pre-key');
      privateKeys.set(key, i * PRE_KEY_BYTES);
    }
  }
  return { firstId, privateKeys };
}

/** True when slot `i` (32 bytes) of `keys` is all zeros, i.e. absent. */
export function isZero(keys: Uint8Array, i: number): boolean {
  const start = i * PRE_KEY_BYTES;
  for (let j = start; j < start + PRE_KEY_BYTES; j++) if (keys[j] !== 0) return false;
  return true;
}
