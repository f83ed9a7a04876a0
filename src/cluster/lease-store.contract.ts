import { describe, expect, it } from 'vitest';
import type { LeaseStore } from './lease-store.js';

export interface LeaseContractOptions {
  name: string;
  /** A fresh, empty store, and a way to let time pass (a fake clock, or real waiting). */
  create(): Promise<{ store: LeaseStore; advance(ms: number): Promise<void>; cleanup(): Promise<void> }>;
}

/** One suite for every lease store: the cluster's safety rests on these rules. */
export function runLeaseStoreContract(opts: LeaseContractOptions): void {
  describe(`lease store contract: ${opts.name}`, () => {
    const TTL = 300;

    it('gives a free key to the first holder and refuses it to others while it lives', async () => {
      const { store, cleanup } = await opts.create();
      try {
        const a = await store.acquire('a', ['s1', 's2'], TTL);
        expect([...a.entries()].sort()).toEqual([
          ['s1', 1],
          ['s2', 1],
        ]);
        const b = await store.acquire('b', ['s1', 's3'], TTL);
        expect([...b.keys()]).toEqual(['s3']);
        expect(await store.holds('a', 's1', 1)).toBe(true);
        expect(await store.holds('b', 's1', 1)).toBe(false);
        expect(await store.get('s1')).toMatchObject({ key: 's1', holder: 'a', epoch: 1 });
      } finally {
        await cleanup();
      }
    });

    it('lets another holder take an expired key with a higher epoch; the old epoch no longer holds', async () => {
      const { store, advance, cleanup } = await opts.create();
      try {
        await store.acquire('a', ['s1'], TTL);
        await advance(TTL + 100);
        expect(await store.holds('a', 's1', 1)).toBe(false);
        expect(await store.renew('a', TTL)).toEqual(new Set());
        const b = await store.acquire('b', ['s1'], TTL);
        expect(b.get('s1')).toBe(2);
        expect(await store.holds('b', 's1', 2)).toBe(true);
        expect(await store.holds('a', 's1', 1)).toBe(false);
      } finally {
        await cleanup();
      }
    });

    it('renews only live leases of the holder, and re-acquiring one of its own bumps the epoch', async () => {
      const { store, advance, cleanup } = await opts.create();
      try {
        await store.acquire('a', ['s1', 's2'], TTL);
        await store.acquire('b', ['s3'], TTL);
        await advance(TTL / 2);
        expect(await store.renew('a', TTL)).toEqual(new Set(['s1', 's2']));
        await advance(TTL / 2 + 50);
        expect(await store.holds('a', 's1', 1)).toBe(true); // renewed
        expect(await store.holds('b', 's3', 1)).toBe(false); // not renewed: expired
        expect((await store.acquire('a', ['s1'], TTL)).get('s1')).toBe(2);
      } finally {
        await cleanup();
      }
    });

    it('release hands a key over at once, and only the holder can release it', async () => {
      const { store, cleanup } = await opts.create();
      try {
        await store.acquire('a', ['s1'], TTL);
        await store.release('b', ['s1']);
        expect((await store.acquire('b', ['s1'], TTL)).size).toBe(0);
        await store.release('a', ['s1']);
        expect(await store.holds('a', 's1', 1)).toBe(false);
        expect(await store.renew('a', TTL)).toEqual(new Set());
        expect((await store.acquire('b', ['s1'], TTL)).size).toBe(1);
      } finally {
        await cleanup();
      }
    });

    it('epochs never go back: after a release the next holder gets a higher epoch than any before', async () => {
      const { store, advance, cleanup } = await opts.create();
      try {
        await store.acquire('a', ['s1'], TTL);
        await advance(TTL + 100);
        expect((await store.acquire('b', ['s1'], TTL)).get('s1')).toBe(2); // took over an expired lease
        await store.release('b', ['s1']); // then handed it over
        expect((await store.acquire('c', ['s1'], TTL)).get('s1')).toBe(3);
        expect(await store.get('s1')).toMatchObject({ holder: 'c', epoch: 3 });
      } finally {
        await cleanup();
      }
    });

    it('when many holders race for the same keys, each key goes to exactly one', async () => {
      const { store, cleanup } = await opts.create();
      try {
        const keys = Array.from({ length: 50 }, (_, i) => `k${i}`);
        const results = await Promise.all(['a', 'b', 'c', 'd'].map((h) => store.acquire(h, keys, 5_000)));
        const winners = new Map<string, number>();
        for (const r of results) for (const k of r.keys()) winners.set(k, (winners.get(k) ?? 0) + 1);
        expect(winners.size).toBe(50);
        expect([...winners.values()].every((n) => n === 1)).toBe(true);
      } finally {
        await cleanup();
      }
    });
  });
}
