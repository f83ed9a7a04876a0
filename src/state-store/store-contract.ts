import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type StateRef, type StateStore, StaleEpochError } from './port.js';

export interface StoreUnderTest {
  store: StateStore;
  cleanup?: () => Promise<void> | void;
}

export interface StateStoreContractOptions {
  name: string;
  create: () => Promise<StoreUnderTest>;
}

const ref = (workspaceId: string, sessionId: string): StateRef => ({ workspaceId, sessionId });
const uid = () => randomBytes(5).toString('hex');

async function collect(store: StateStore): Promise<string[]> {
  const out: string[] = [];
  for await (const r of store.list()) out.push(`${r.workspaceId}/${r.sessionId}`);
  return out.sort();
}

/** The one behaviour every StateStore shares (port.ts), run against each implementation. */
export function runStateStoreContract({ name, create }: StateStoreContractOptions): void {
  describe(`state store contract: ${name}`, () => {
    let current: StoreUnderTest | undefined;
    const open = async () => {
      current = await create();
      return current.store;
    };
    afterEach(async () => {
      const c = current;
      current = undefined;
      if (c) {
        await c.store.close();
        await c.cleanup?.();
      }
    });

    it('reads null for a session it never stored', async () => {
      const store = await open();
      expect(await store.read(ref(`w${uid()}`, `s${uid()}`))).toBeNull();
    });

    it('writes, reads back, overwrites and deletes', async () => {
      const store = await open();
      const r = ref('w1', `s${uid()}`);
      const a = randomBytes(100);
      const b = randomBytes(37);
      await store.write(r, a);
      expect(await store.read(r)).toEqual(a);
      await store.write(r, b);
      expect(await store.read(r)).toEqual(b);
      await store.delete(r);
      expect(await store.read(r)).toBeNull();
      await store.delete(r); // deleting a missing one is fine
    });

    it('keeps bytes exact, including an empty envelope and every byte value', async () => {
      const store = await open();
      const r = ref('w1', `s${uid()}`);
      const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      await store.write(r, all);
      expect(await store.read(r)).toEqual(all);
      await store.write(r, Buffer.alloc(0));
      expect(await store.read(r)).toEqual(Buffer.alloc(0));
    });

    it('lists every stored session and forgets deleted ones', async () => {
      const store = await open();
      const w = `w${uid()}`;
      const refs = [ref(w, 'a'), ref(w, 'b.c'), ref(`${w}x`, 'a-1'), ref(`${w}x`, 'Z_9')];
      for (const r of refs) await store.write(r, randomBytes(10));
      expect(await collect(store)).toEqual(refs.map((r) => `${r.workspaceId}/${r.sessionId}`).sort());
      await store.delete(refs[1]);
      expect(await collect(store)).toEqual([refs[0], refs[2], refs[3]].map((r) => `${r.workspaceId}/${r.sessionId}`).sort());
    });

    it('isolates workspaces and sessions', async () => {
      const store = await open();
      const s1 = `s${uid()}`;
      const s2 = `s${uid()}`;
      const d1 = randomBytes(20);
      const d2 = randomBytes(20);
      await store.write(ref('w1', s1), d1);
      await store.write(ref('w2', s2), d2);
      expect(await store.read(ref('w2', s1))).toBeNull();
      expect(await store.read(ref('w1', s2))).toBeNull();
      await store.delete(ref('w2', s1));
      expect(await store.read(ref('w1', s1))).toEqual(d1);
      expect(await store.read(ref('w2', s2))).toEqual(d2);
    });

    it('refuses ids that could escape their place', async () => {
      const store = await open();
      for (const bad of ['../x', 'a/b', '', '.hidden', 'a\0b', 'x'.repeat(200)]) {
        await expect(store.write(ref('w1', bad), Buffer.from('x'))).rejects.toThrow(/invalid session id/);
        await expect(store.read(ref(bad, 's1'))).rejects.toThrow(/invalid workspace id/);
      }
    });

    it('stores large envelopes', async () => {
      const store = await open();
      const r = ref('w1', `s${uid()}`);
      const big = randomBytes(3 * 1024 * 1024 + 7);
      await store.write(r, big);
      expect((await store.read(r))?.equals(big)).toBe(true);
    });

    it('ends concurrent writes of one session with one of the written values intact', async () => {
      const store = await open();
      const r = ref('w1', `s${uid()}`);
      const values = Array.from({ length: 12 }, (_, i) => randomBytes(2000 + i * 5000));
      await Promise.all(values.map((v) => store.write(r, v)));
      const got = await store.read(r);
      expect(got).not.toBeNull();
      expect(values.some((v) => v.equals(got!))).toBe(true);
    });

    it('fences writes by epoch when it enforces the fence', async () => {
      const store = await open();
      if (!store.enforcesFence) {
        // Not enforced by this store (port.ts): a fenced write still succeeds, last writer wins.
        const r = ref('w1', `s${uid()}`);
        await store.write(r, Buffer.from('new'), { epoch: 5 });
        await store.write(r, Buffer.from('old'), { epoch: 4 });
        expect(await store.read(r)).toEqual(Buffer.from('old'));
        return;
      }
      const r = ref('w1', `s${uid()}`);
      await store.write(r, Buffer.from('e2'), { epoch: 2 });
      await store.write(r, Buffer.from('e2b'), { epoch: 2 });
      await store.write(r, Buffer.from('e3'), { epoch: 3 });
      const stale = store.write(r, Buffer.from('e2c'), { epoch: 2 });
      await expect(stale).rejects.toBeInstanceOf(StaleEpochError);
      expect(await store.read(r)).toEqual(Buffer.from('e3'));
      await store.write(r, Buffer.from('unfenced'));
      expect(await store.read(r)).toEqual(Buffer.from('unfenced'));
      await expect(store.write(r, Buffer.from('still stale'), { epoch: 1 })).rejects.toBeInstanceOf(StaleEpochError);
      const racers = await Promise.allSettled([4, 6, 5].map((epoch) => store.write(r, Buffer.from(`e${epoch}`), { epoch })));
      expect(racers.filter((x) => x.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
      expect(await store.read(r)).toEqual(Buffer.from('e6'));
      await expect(store.write(r, Buffer.from('e5'), { epoch: 5 })).rejects.toBeInstanceOf(StaleEpochError);
    });
  });
}
