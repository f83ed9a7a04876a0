import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StateDecodeError } from './decode-error.js';
import { decodeSpillRecord, encodeSpillRecord } from './spill-record.js';

describe('spill record', () => {
  it('round-trips, and refuses junk, other versions and truncation with a StateDecodeError', () => {
    const record = { spilledAt: 1_750_000_000_123, baseWasEmpty: false, bases: [randomBytes(32), randomBytes(32)], envelope: randomBytes(300) };
    const bytes = encodeSpillRecord(record);
    expect(decodeSpillRecord(bytes)).toEqual(record);
    expect(decodeSpillRecord(encodeSpillRecord({ ...record, baseWasEmpty: true, bases: [] }))).toMatchObject({ baseWasEmpty: true, bases: [] });

    const newer = Buffer.from(bytes);
    newer[4] = 2;
    const cases: [Buffer, RegExp][] = [
      [Buffer.from('KSTE not a spill'), /not a kirim state spill file/],
      [newer, /version 2 is not supported/],
      [bytes.subarray(0, 20), /corrupt state spill file/],
      [Buffer.concat([bytes.subarray(0, 13), Buffer.from([2])]), /corrupt state spill file: bad flag 2/],
    ];
    for (const [data, message] of cases) {
      expect(() => decodeSpillRecord(data)).toThrow(StateDecodeError);
      expect(() => decodeSpillRecord(data)).toThrow(message);
    }
    expect(() => encodeSpillRecord({ ...record, bases: [Buffer.alloc(5)] })).toThrow(/32-byte hash/);
  });
});
