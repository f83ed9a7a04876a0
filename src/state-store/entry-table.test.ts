import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EntryTable } from './entry-table.js';

describe('EntryTable', () => {
  it('behaves like a map of byte strings through churn, and compacts its garbage', () => {
    const t = new EntryTable();
    const model = new Map<string, Buffer>();
    for (let i = 0; i < 5000; i++) {
      const id = `id${i % 137}`;
      if (i % 5 === 4) {
        expect(t.delete(id)).toBe(model.delete(id));
      } else {
        const v = randomBytes((i * 7) % 300);
        t.set(id, v);
        model.set(id, v);
      }
    }
    expect(t.size).toBe(model.size);
    for (const [id, v] of model) expect(t.get(id)).toEqual(v);
    expect([...t.keys()].sort()).toEqual([...model.keys()].sort());
    const live = [...model.values()].reduce((n, v) => n + v.length + 2, 0);
    expect(t.capacity).toBeLessThan(live * 3 + 1024);
    expect(t.get('missing')).toBeUndefined();
    t.clear();
    expect(t.size).toBe(0);
  });

  it('copies a snapshot source into one allocation', () => {
    const source = new Map([
      ['a', Buffer.from([1])],
      ['b', Buffer.alloc(200, 2)],
    ]);
    const t = EntryTable.from(source);
    expect(t.get('b')).toEqual(Buffer.alloc(200, 2));
    source.get('a')![0] = 9;
    expect(t.get('a')).toEqual(Buffer.from([1]));
    expect(t.capacity).toBeLessThanOrEqual(201 + 10);
  });
});
