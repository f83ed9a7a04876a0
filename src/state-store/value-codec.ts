import { ByteReader, ByteWriter } from './bytes.js';
import { KNOWN_STRING_INDEX, KNOWN_STRINGS } from './known-strings.js';

/**
 * The tagged binary value format (v1) that carries Baileys' creds and Signal key entries.
 * Like JSON, but with bytes as bytes, no base64 blow-up and no key material in text:
 *
 * | tag | value                                   | payload                               |
 * |-----|-----------------------------------------|---------------------------------------|
 * | 0   | undefined                               | –                                     |
 * | 1   | null                                    | –                                     |
 * | 2/3 | false / true                            | –                                     |
 * | 4   | non-negative safe integer               | varint                                |
 * | 5   | negative safe integer                   | varint of −n                          |
 * | 6   | any other number (−0, NaN, fractions)   | float64 LE                            |
 * | 7   | string                                  | varint length + UTF-8                 |
 * | 8   | string that is canonical base64         | varint length + the decoded bytes     |
 * | 9   | Uint8Array / Buffer (decodes as Buffer) | varint length + bytes                 |
 * | 10  | array                                   | varint count + values                 |
 * | 11  | object (own enumerable properties)      | varint count + (key as 7/8, value)…   |
 * | 12  | bigint                                  | decimal as tag-7 payload              |
 * | 13  | a string of KNOWN_STRINGS               | varint index (known-strings.ts)       |
 *
 * Tag 8 exists because libsignal serialises session records with base64 strings: storing the raw
 * bytes saves a quarter, and the string comes back identical (only canonical base64 — what
 * `Buffer#toString('base64')` produces — takes that path). Encoding is a pure function of the value
 * including its property order, and decoding preserves that order, so re-encoding a decoded value
 * yields the same bytes. Like JSON, function- and symbol-valued properties are skipped.
 * protobuf.js `Long` values become numbers (bigint when outside the safe range). Dates, Maps, Sets
 * and cycles are refused. New tags may be added; a decoder meeting an unknown tag fails clearly.
 */
enum Tag {
  Undefined = 0,
  Null = 1,
  False = 2,
  True = 3,
  UInt = 4,
  NegInt = 5,
  Float = 6,
  String = 7,
  Base64String = 8,
  Bytes = 9,
  Array = 10,
  Object = 11,
  BigInt = 12,
  KnownString = 13,
}

const MAX_DEPTH = 64;
const B64_RE = /^[A-Za-z0-9+/]+={0,2}$/;
const B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Reused by encodeValue (synchronous, so never shared between two encodes). */
let scratch = new ByteWriter(4096);

export function encodeValue(value: unknown): Buffer {
  const w = scratch;
  w.reset();
  writeValue(w, value, 0);
  const out = w.finish();
  if (out.length > 1 << 20) scratch = new ByteWriter(4096); // do not keep a huge buffer around
  return out;
}

export function decodeValue(bytes: Buffer, what = 'value'): unknown {
  const r = new ByteReader(bytes, what);
  const v = readValue(r, 0);
  r.end();
  return v;
}

export function writeValue(w: ByteWriter, value: unknown, depth: number): void {
  if (depth > MAX_DEPTH) throw new TypeError(`value nested deeper than ${MAX_DEPTH} levels (a cycle?)`);
  switch (typeof value) {
    case 'undefined':
      return w.u8(Tag.Undefined);
    case 'boolean':
      return w.u8(value ? Tag.True : Tag.False);
    case 'number':
      return writeNumber(w, value);
    case 'bigint':
      w.u8(Tag.BigInt);
      return w.string(value.toString());
    case 'string':
      return writeString(w, value);
    case 'object':
      return writeObject(w, value, depth);
    default:
      throw new TypeError(`cannot encode a ${typeof value}`);
  }
}

function writeNumber(w: ByteWriter, n: number): void {
  if (Number.isSafeInteger(n) && !Object.is(n, -0)) {
    if (n >= 0) {
      w.u8(Tag.UInt);
      w.varint(n);
    } else {
      w.u8(Tag.NegInt);
      w.varint(-n);
    }
  } else {
    w.u8(Tag.Float);
    w.f64(n);
  }
}

function writeString(w: ByteWriter, s: string): void {
  const known = KNOWN_STRING_INDEX.get(s);
  if (known !== undefined) {
    w.u8(Tag.KnownString);
    w.varint(known);
    return;
  }
  const n = canonicalBase64Bytes(s);
  if (n >= 0) {
    w.u8(Tag.Base64String);
    w.base64(s, n);
    return;
  }
  w.u8(Tag.String);
  w.string(s);
}

/**
 * The decoded length of `s` when it is base64 exactly as `Buffer#toString('base64')` writes it
 * (padded, unused bits zero), so decoding and re-encoding gives `s` back; otherwise −1.
 */
function canonicalBase64Bytes(s: string): number {
  if (s.length < 8 || s.length % 4 !== 0 || !B64_RE.test(s)) return -1;
  const pad = s.charCodeAt(s.length - 2) === 61 ? 2 : s.charCodeAt(s.length - 1) === 61 ? 1 : 0;
  if (pad > 0) {
    const last = B64_ALPHABET.indexOf(s[s.length - pad - 1]);
    if (last & (pad === 1 ? 0x3 : 0xf)) return -1;
  }
  return (s.length / 4) * 3 - pad;
}

function writeObject(w: ByteWriter, value: object | null, depth: number): void {
  if (value === null) return w.u8(Tag.Null);
  if (value instanceof Uint8Array) {
    w.u8(Tag.Bytes);
    w.lenBytes(value);
    return;
  }
  if (Array.isArray(value)) {
    w.u8(Tag.Array);
    w.varint(value.length);
    for (let i = 0; i < value.length; i++) writeValue(w, value[i], depth + 1);
    return;
  }
  if (isLong(value)) return writeLong(w, value);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date || value instanceof Map || value instanceof Set) {
    throw new TypeError(`cannot encode a ${value.constructor.name}`);
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((k) => {
    const t = typeof record[k];
    return t !== 'function' && t !== 'symbol';
  });
  w.u8(Tag.Object);
  w.varint(keys.length);
  for (const k of keys) {
    writeString(w, k);
    writeValue(w, record[k], depth + 1);
  }
}

interface LongLike {
  low: number;
  high: number;
  unsigned: boolean;
  toString(): string;
}

function isLong(v: object): v is LongLike {
  const o = v as Partial<LongLike> & { toNumber?: unknown };
  return typeof o.low === 'number' && typeof o.high === 'number' && typeof o.unsigned === 'boolean' && typeof o.toNumber === 'function';
}

function writeLong(w: ByteWriter, v: LongLike): void {
  const big = BigInt(v.toString());
  const n = Number(big);
  if (Number.isSafeInteger(n)) writeNumber(w, n);
  else writeValue(w, big, 0);
}

export function readValue(r: ByteReader, depth: number): unknown {
  if (depth > MAX_DEPTH) r.fail(`nested deeper than ${MAX_DEPTH} levels`);
  const tag = r.u8();
  switch (tag) {
    case Tag.Undefined:
      return undefined;
    case Tag.Null:
      return null;
    case Tag.False:
      return false;
    case Tag.True:
      return true;
    case Tag.UInt:
      return r.varint();
    case Tag.NegInt:
      return -r.varint();
    case Tag.Float:
      return r.f64();
    case Tag.String:
      return r.string();
    case Tag.Base64String:
      return r.lenBytes().toString('base64');
    case Tag.KnownString:
      return readKnown(r);
    case Tag.Bytes:
      return Buffer.from(r.lenBytes());
    case Tag.Array:
      return readArray(r, depth);
    case Tag.Object:
      return readObject(r, depth);
    case Tag.BigInt:
      return readBigInt(r);
    default:
      return r.fail(`unknown value tag ${tag}`);
  }
}

function readArray(r: ByteReader, depth: number): unknown[] {
  const n = r.varint();
  if (n > r.remaining) r.fail(`array of ${n} items cannot fit`);
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) out[i] = readValue(r, depth + 1);
  return out;
}

function readObject(r: ByteReader, depth: number): Record<string, unknown> {
  const n = r.varint();
  if (n > r.remaining) r.fail(`object of ${n} properties cannot fit`);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const keyTag = r.u8();
    let key: string;
    if (keyTag === Tag.String) key = r.string();
    else if (keyTag === Tag.Base64String) key = r.lenBytes().toString('base64');
    else if (keyTag === Tag.KnownString) key = readKnown(r);
    else return r.fail(`object key has tag ${keyTag}`);
    const v = readValue(r, depth + 1);
    // a key named __proto__ stays data: it never rewires the prototype
    if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    else out[key] = v;
  }
  return out;
}

function readKnown(r: ByteReader): string {
  const i = r.varint();
  return i < KNOWN_STRINGS.length ? KNOWN_STRINGS[i] : r.fail(`unknown string reference ${i}`);
}

function readBigInt(r: ByteReader): bigint {
  const s = r.string();
  if (!/^-?\d{1,400}$/.test(s)) r.fail('bad bigint');
  return BigInt(s);
}
