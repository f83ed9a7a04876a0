import { describe, expect, it } from 'vitest';
import { newId } from './ids.js';

describe('newId', () => {
  it('makes unique ids that sort by time, and in the order they were made within one millisecond', () => {
    const sameMs = Array.from({ length: 1000 }, () => newId('msg', 1_700_000_000_000));
    expect(new Set(sameMs).size).toBe(1000);
    expect([...sameMs].sort()).toEqual(sameMs);
    expect(sameMs.every((id) => /^msg_[0-9a-hjkmnp-tv-z]{26}$/.test(id))).toBe(true);
    const later = newId('msg', 1_700_000_000_001);
    const earlier = newId('msg', 1_699_999_999_999);
    expect([later, earlier, sameMs[0]].sort()).toEqual([earlier, sameMs[0], later]);
  });
});
