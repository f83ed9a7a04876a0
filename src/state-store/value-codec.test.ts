import { describe, expect, it } from 'vitest';
import { StateDecodeError } from './decode-error.js';
import { decodeValue, encodeValue } from './value-codec.js';

const rt = (v: unknown) => decodeValue(encodeValue(v));

/** The shape of protobuf.js' Long (the real one comes with Baileys, which this folder may not import). */
class FakeLong {
  constructor(
    readonly low: number,
    readonly high: number,
    readonly unsigned: boolean,
  ) {}
  toNumber() {
    return this.high * 2 ** 32 + (this.low >>> 0);
  }
  toString() {
    return (BigInt(this.high >>> 0) * 2n ** 32n + BigInt(this.low >>> 0)).toString();
  }
}

describe('value codec', () => {
  it('round-trips every supported kind exactly', () => {
    const value = {
      u: undefined,
      n: null,
      t: true,
      f: false,
      ints: [0, 1, 127, 128, 300, 2 ** 32, Number.MAX_SAFE_INTEGER, -1, -128, Number.MIN_SAFE_INTEGER],
      floats: [0.5, -1.25, 1e300, Infinity, -Infinity],
      big: 12345678901234567890123n,
      negBig: -5n,
      s: 'hello — ünïcödé 🎉',
      b64: 'AAECAwQFBgcICQoL',
      almostB64: 'AAECAwQFBgcICQp=', // not canonical (stray bits): stays a string, comes back identical
      bytes: Buffer.from([0, 1, 2, 255]),
      u8: new Uint8Array([9, 8, 7]),
      nested: { deeper: { arr: [[1], { x: 'y' }, []] } },
      'weird key': 1,
      'q83vEjRWeJCrze8SNFZ4kA==': 'base64 key',
      '12': 'numeric key',
    };
    const back = rt(value) as Record<string, unknown>;
    expect(back).toEqual({ ...value, u8: Buffer.from([9, 8, 7]) });
    expect(Buffer.isBuffer(back.bytes)).toBe(true);
    expect(Object.keys(back)).toEqual(Object.keys(value));
    expect(Object.is(rt(-0), -0)).toBe(true);
    expect(Number.isNaN(rt(NaN))).toBe(true);
  });

  it('is deterministic: re-encoding a decoded value gives the same bytes', () => {
    const v = { a: [1, 'x', Buffer.alloc(3, 1)], z: { k: 'AAAAAAAAAAA=' }, m: 'AAECAwQFBgcICQoL' };
    const once = encodeValue(v);
    expect(encodeValue(decodeValue(once))).toEqual(once);
    expect(encodeValue(v)).toEqual(once);
  });

  it('takes the bytes path only for canonical base64, and always gives the string back', () => {
    const cases: [string, boolean][] = [
      ['AAECAwQFBgcICQoL', true],
      ['AAECAwQFBgcICQo=', true],
      ['AAECAwQFBgcICQp=', false],
      ['AAECAwQFBgcICA==', true],
      ['AAECAwQFBgcICB==', false],
      ['AAECAwQFBgcI=CQo', false],
      ['AAECAwQF-_cICQoL', false],
      ['AAECAwQ', false],
    ];
    for (const [s, bytes] of cases) {
      expect(rt(s)).toBe(s);
      expect(encodeValue(s)[0], s).toBe(bytes ? 8 : 7);
    }
  });

  it('stores base64 strings as their bytes (libsignal session records shrink by a quarter)', () => {
    const key = Buffer.alloc(33, 0xab).toString('base64');
    expect(encodeValue(key).length).toBeLessThan(36);
    expect(encodeValue({ [key]: key }).length).toBeLessThanOrEqual(72); // JSON: 95
    expect(rt({ [key]: key })).toEqual({ [key]: key });
  });

  it('writes the well-known property names as one-byte references', () => {
    expect(encodeValue('lastRemoteEphemeralKey')).toEqual(Buffer.from([13, 8]));
    expect(rt({ _sessions: {}, version: 'v1', chainKey: { counter: 3 } })).toEqual({ _sessions: {}, version: 'v1', chainKey: { counter: 3 } });
    expect(() => decodeValue(Buffer.from([13, 120]))).toThrow(/unknown string reference 120/);
  });

  it('turns protobuf Longs into numbers (bigint beyond 2^53) and skips functions like JSON', () => {
    expect(rt({ ts: new FakeLong(1700000000, 0, true) })).toEqual({ ts: 1700000000 });
    expect(rt(new FakeLong(-1, -1, true))).toBe(18446744073709551615n);
    expect(rt({ a: 1, f: () => 1, s: Symbol('x') })).toEqual({ a: 1 });
  });

  it('refuses what it cannot carry', () => {
    expect(() => encodeValue(new Date())).toThrow(/Date/);
    expect(() => encodeValue(new Map())).toThrow(/Map/);
    expect(() => encodeValue(new Float32Array(2))).toThrow(/Float32Array/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => encodeValue(cyclic)).toThrow(/deeper/);
  });

  it('keeps __proto__ as plain data', () => {
    const v = JSON.parse('{"__proto__": {"polluted": true}}');
    const back = rt(v) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__']);
  });

  it('rejects malformed input with StateDecodeError, never a crash or garbage', () => {
    const bad = [
      Buffer.from([]),
      Buffer.from([99]),
      Buffer.from([7, 5, 0x61]),
      Buffer.from([10, 0xff, 0xff, 0xff, 0xff, 0x0f]),
      Buffer.from([11, 1, 4, 1, 1]),
      Buffer.from([4, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]),
      Buffer.from([12, 3, 0x31, 0x2e, 0x35]),
      Buffer.from([3, 3]),
      Buffer.alloc(200, 10),
    ];
    for (const b of bad) expect(() => decodeValue(b)).toThrow(StateDecodeError);
    for (let i = 0; i < 300; i++) {
      const junk = Buffer.from(Array.from({ length: 1 + (i % 40) }, (_, j) => (i * 31 + j * 17) & 0xff));
      try {
        decodeValue(junk);
      } catch (err) {
        expect(err).toBeInstanceOf(StateDecodeError);
      }
    }
  });
});
