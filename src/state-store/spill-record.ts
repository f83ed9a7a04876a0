import { ByteReader, ByteWriter } from './bytes.js';
import { StateDecodeError } from './decode-error.js';

/**
 * What a spill file holds (state-spill.ts): `"KSPL" · u8 version (1) · f64 spilledAt (ms) ·
 * u8 base-was-empty (0/1) · varint n · n × 32-byte SHA-256 · the envelope (the rest)`.
 *
 * The bases are the plaintext hashes of the stored states the spilled state was derived from: the
 * one this node last read or wrote, and those of its writes whose outcome is unknown (a write that
 * timed out may have landed). The envelope is the usual one, encrypted and bound to its session.
 */
export interface SpillRecord {
  spilledAt: number;
  /** The state was derived from "no stored state" (a session linked while the store was down). */
  baseWasEmpty: boolean;
  bases: Buffer[];
  envelope: Buffer;
}

const MAGIC = Buffer.from('KSPL', 'ascii');
const SPILL_V1 = 1;
const HASH_BYTES = 32;

export function encodeSpillRecord(r: SpillRecord): Buffer {
  const w = new ByteWriter(r.envelope.length + 32 + r.bases.length * HASH_BYTES);
  w.bytes(MAGIC);
  w.u8(SPILL_V1);
  w.f64(r.spilledAt);
  w.u8(r.baseWasEmpty ? 1 : 0);
  w.varint(r.bases.length);
  for (const h of r.bases) {
    if (h.length !== HASH_BYTES) throw new RangeError(`a spill base is a ${HASH_BYTES}-byte hash, got ${h.length} bytes`);
    w.bytes(h);
  }
  w.bytes(r.envelope);
  return w.finish();
}

export function decodeSpillRecord(data: Buffer): SpillRecord {
  if (data.length < 5 || !data.subarray(0, 4).equals(MAGIC)) throw new StateDecodeError('not a kirim state spill file');
  const r = new ByteReader(data.subarray(4), 'state spill file');
  const version = r.u8();
  if (version !== SPILL_V1) throw new StateDecodeError(`state spill file version ${version} is not supported by this kirim`);
  const spilledAt = r.f64();
  const empty = r.u8();
  if (empty > 1) r.fail(`bad flag ${empty}`);
  const n = r.varint();
  if (n * HASH_BYTES > r.remaining) r.fail(`${n} bases do not fit`);
  const bases = Array.from({ length: n }, () => Buffer.from(r.bytes(HASH_BYTES)));
  return { spilledAt, baseWasEmpty: empty === 1, bases, envelope: Buffer.from(r.bytes(r.remaining)) };
}
