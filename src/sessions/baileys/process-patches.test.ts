import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { setImmediate as tick } from 'node:timers/promises';
import { addTransactionCapability, Curve } from 'baileys';
import * as libsignalCurve from 'libsignal/src/curve.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { quietLibsignalConsole, SharedTtlCache, SocketTxStorage, speedUpHandshakeCrypto, withSharedTxStorage, x25519Agreement } from './process-patches.js';

describe('withSharedTxStorage', () => {
  it('binds the AsyncLocalStorage named import to SocketTxStorage only while it runs', () => {
    const inside = withSharedTxStorage(() => new AsyncLocalStorage());
    expect(inside).toBeInstanceOf(SocketTxStorage);
    expect(new AsyncLocalStorage()).not.toBeInstanceOf(SocketTxStorage);
  });

  it('restores the real class when the factory throws', () => {
    expect(() =>
      withSharedTxStorage(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(new AsyncLocalStorage()).not.toBeInstanceOf(SocketTxStorage);
  });

  it('keeps each view’s store apart across awaits, nesting and exit', async () => {
    const a = new SocketTxStorage<string>();
    const b = new SocketTxStorage<string>();
    const seen: unknown[] = [];
    await Promise.all([
      a.run('a1', async () => {
        await tick();
        await b.run('b1', async () => {
          await tick();
          seen.push(['inner', a.getStore(), b.getStore()]);
          a.exit(() => seen.push(['exit', a.getStore(), b.getStore()]));
        });
        seen.push(['outer', a.getStore(), b.getStore()]);
      }),
      a.run('a2', async () => {
        await tick();
        seen.push(['other', a.getStore(), b.getStore()]);
      }),
    ]);
    expect(seen).toContainEqual(['inner', 'a1', 'b1']);
    expect(seen).toContainEqual(['exit', undefined, 'b1']);
    expect(seen).toContainEqual(['outer', 'a1', undefined]);
    expect(seen).toContainEqual(['other', 'a2', undefined]);
    expect(a.getStore()).toBeUndefined();
  });

  it('gives Baileys’ key-store transactions their own cache per socket', async () => {
    const backing = () => {
      const data = new Map<string, unknown>();
      return {
        data,
        async get(type: string, ids: string[]) {
          return Object.fromEntries(ids.map((id) => [id, data.get(`${type}:${id}`)]).filter(([, v]) => v !== undefined));
        },
        async set(values: Record<string, Record<string, unknown>>) {
          for (const [type, byId] of Object.entries(values)) for (const [id, v] of Object.entries(byId)) data.set(`${type}:${id}`, v);
        },
      };
    };
    const logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => logger, level: 'silent' } as never;
    const [s1, s2] = [backing(), backing()];
    const [k1, k2] = withSharedTxStorage(() => [s1, s2].map((s) => addTransactionCapability(s as never, logger, { maxCommitRetries: 1, delayBetweenTriesMs: 1 })));
    const value = { id: 1 } as never;
    await Promise.all([
      k1.transaction(async () => {
        await k1.set({ 'sender-key-memory': { x: value } });
        await tick();
        // inside the transaction the write is visible but not yet in the backing store
        expect(await k1.get('sender-key-memory', ['x'])).toEqual({ x: value });
        expect(s1.data.size).toBe(0);
      }, 'one'),
      k2.transaction(async () => {
        await tick();
        expect(await k2.get('sender-key-memory', ['x'])).toEqual({});
      }, 'two'),
    ]);
    expect(s1.data.get('sender-key-memory:x')).toEqual(value);
    expect(s2.data.size).toBe(0);
  });
});

describe('handshake crypto', () => {
  it('X25519 through node:crypto agrees with libsignal for raw and Signal-prefixed public keys', () => {
    for (let i = 0; i < 20; i++) {
      const alice = libsignalCurve.generateKeyPair();
      const bob = libsignalCurve.generateKeyPair();
      const expected = Buffer.from(libsignalCurve.calculateAgreement(bob.pubKey, alice.privKey));
      expect(x25519Agreement(alice.privKey, bob.pubKey)).toEqual(expected);
      expect(x25519Agreement(alice.privKey, bob.pubKey.subarray(1))).toEqual(expected);
    }
    expect(() => x25519Agreement(randomBytes(31), randomBytes(32))).toThrow(/32 bytes/);
  });

  it('after the patch, verify rejects a wrong signature every time (stock Baileys accepts it) and accepts a good one', () => {
    const signer = Curve.generateKeyPair();
    const message = randomBytes(64);
    const signature = Curve.sign(signer.private, message);
    // the upstream bug the patch fixes: libsignal returns false rather than throwing
    expect(Curve.verify(signer.public, randomBytes(64), signature)).toBe(true);
    speedUpHandshakeCrypto();
    expect(Curve.verify(signer.public, message, signature)).toBe(true);
    expect(Curve.verify(signer.public, message, signature)).toBe(true); // remembered
    const other = randomBytes(64);
    expect(Curve.verify(signer.public, other, signature)).toBe(false);
    expect(Curve.verify(signer.public, other, signature)).toBe(false);
    const tampered = Buffer.from(signature);
    tampered[10] ^= 1;
    expect(Curve.verify(signer.public, message, tampered)).toBe(false);
    // and sharedKey is the same function of the keys as before
    const peer = Curve.generateKeyPair();
    expect(Curve.sharedKey(signer.private, peer.public)).toEqual(Buffer.from(libsignalCurve.calculateAgreement(Buffer.concat([Buffer.from([5]), peer.public]), signer.private)));
  });
});

describe('SharedTtlCache', () => {
  afterEach(() => vi.useRealTimers());

  it('returns values until their TTL passes, and deletes', () => {
    vi.useFakeTimers();
    const cache = new SharedTtlCache(1000);
    cache.set('a', 1);
    cache.set('b', { x: 2 });
    vi.advanceTimersByTime(999);
    expect(cache.get('a')).toBe(1);
    cache.del('b');
    expect(cache.get('b')).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(cache.get('a')).toBeUndefined();
    cache.set('c', 3);
    cache.flushAll();
    expect(cache.get('c')).toBeUndefined();
    cache.close();
  });

  it('gives each session a view of its own keys', () => {
    vi.useFakeTimers();
    const cache = new SharedTtlCache(1000);
    const a = cache.view('ses_a');
    const b = cache.view('ses_b');
    a.set('3EB0MSG', 1);
    b.set('3EB0MSG', 2);
    expect([a.get('3EB0MSG'), b.get('3EB0MSG'), cache.get('3EB0MSG')]).toEqual([1, 2, undefined]);
    a.del('3EB0MSG');
    expect([a.get('3EB0MSG'), b.get('3EB0MSG')]).toEqual([undefined, 2]);
    a.set('x', 1);
    b.flushAll();
    expect([a.get('x'), b.get('3EB0MSG')]).toEqual([1, undefined]);
    vi.advanceTimersByTime(1000);
    expect(a.get('x')).toBeUndefined();
    cache.close();
  });
});

describe('quietLibsignalConsole', () => {
  it('takes libsignal’s session dumps off the console and passes everything else through', () => {
    const methods = ['log', 'info', 'warn', 'error'] as const;
    const saved = methods.map((m) => console[m]);
    const printed: unknown[][] = [];
    for (const m of methods) console[m] = (...args: unknown[]) => void printed.push(args);
    const lines: string[] = [];
    try {
      quietLibsignalConsole((l) => lines.push(l));
      const secret = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
      console.info('Closing session:', { currentRatchet: { ephemeralKeyPair: { privKey: secret } } });
      console.warn('Closing open session in favor of incoming prekey bundle');
      console.error('Session error:Error: Bad MAC', 'at stack…');
      console.info('an application line', 42);
    } finally {
      methods.forEach((m, i) => (console[m] = saved[i]));
    }
    expect(lines).toEqual(['Closing session:', 'Closing open session in favor of incoming prekey bundle', 'Session error:Error: Bad MAC']);
    expect(printed).toEqual([['an application line', 42]]);
  });
});
