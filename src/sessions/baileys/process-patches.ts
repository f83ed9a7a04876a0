import asyncHooks, { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { Curve, type CacheStore } from 'baileys';
import * as libsignalCurve from 'libsignal/src/curve.js';

/**
 * Process-wide adjustments to Baileys for running thousands of sockets in one process. Each is
 * measured in docs/benchmarks.md and tested in process-patches.test.ts against the behaviour it
 * replaces.
 */

/**
 * Baileys' `addTransactionCapability` (called by every `makeWASocket`) creates an AsyncLocalStorage
 * per socket and never disables it (WhiskeySockets/Baileys#2806). On Node < 24 every enabled
 * storage stays in a process-wide list that is walked on every promise, timer or socket the
 * process creates, stamping one property per storage on each: the cost of every async operation,
 * and the size of every live promise and timer, grows with the number of sockets ever opened
 * (pairing alone opens two per session). At 1000 sessions that is ~2000 properties on each
 * promise. While `makeWASocket` runs (synchronously), the export Baileys reads is swapped for a
 * view class: every view keeps its store in one shared storage, in a Map keyed by the view, so
 * each socket still sees only its own transaction (the fix proposed upstream in Baileys#2722)
 * and the process has one enabled storage however many sockets it opens. A view is never
 * enabled itself; it is garbage like any object once its socket is gone.
 */
const sharedTx = new AsyncLocalStorage<Map<object, unknown>>();

export class SocketTxStorage<T> extends AsyncLocalStorage<T> {
  override getStore(): T | undefined {
    return sharedTx.getStore()?.get(this) as T | undefined;
  }
  override run<R, A extends unknown[]>(store: T, fn: (...args: A) => R, ...args: A): R {
    return sharedTx.run(this.frame(store), fn, ...args);
  }
  override exit<R, A extends unknown[]>(fn: (...args: A) => R, ...args: A): R {
    return sharedTx.run(this.frame(undefined), fn, ...args);
  }
  override enterWith(store: T): void {
    sharedTx.enterWith(this.frame(store));
  }
  override disable(): void {
    // nothing process-wide to release; stores set through this view die with their contexts
  }
  private frame(store: T | undefined): Map<object, unknown> {
    const frame = new Map(sharedTx.getStore());
    if (store === undefined) frame.delete(this);
    else frame.set(this, store);
    return frame;
  }
}

/** Runs `make` (synchronous) with Baileys' AsyncLocalStorage import bound to SocketTxStorage. */
export function withSharedTxStorage<R>(make: () => R): R {
  const hooks = asyncHooks as { AsyncLocalStorage: typeof AsyncLocalStorage };
  const real = hooks.AsyncLocalStorage;
  hooks.AsyncLocalStorage = SocketTxStorage;
  syncBuiltinESMExports();
  try {
    return make();
  } finally {
    hooks.AsyncLocalStorage = real;
    syncBuiltinESMExports();
  }
}

/**
 * A TTL cache shared by every socket of the engine, for the caches Baileys lets a caller provide
 * and keys by message or call id: the retry counters (Baileys recommends sharing them so they
 * survive a reconnect), placeholder resends and call offers. Otherwise each socket creates its own
 * NodeCache for each (about 6 KB and an interval timer apiece). Each session uses its own `view`
 * (keys prefixed by the session id: two of our numbers in one group see the same message ids),
 * which outlives its sockets. Entries expire `ttlMs` after they were set; one unref'd sweep a minute.
 * (The user-devices cache is not shared: Baileys stores lists that leave out the socket's own
 * device, so they depend on which account asked.)
 */
export class SharedTtlCache implements CacheStore {
  private readonly entries = new Map<string, { value: unknown; expires: number }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly ttlMs: number) {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  get<T>(key: string): T | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value as T;
  }
  set<T>(key: string, value: T): void {
    this.entries.set(key, { value, expires: Date.now() + this.ttlMs });
  }
  del(key: string): void {
    this.entries.delete(key);
  }
  flushAll(): void {
    this.entries.clear();
  }
  /** The part of the cache one session sees: its keys, prefixed with `scope`. */
  view(scope: string): CacheStore {
    const prefix = `${scope}\0`;
    return {
      get: <T>(key: string) => this.get<T>(prefix + key),
      set: <T>(key: string, value: T) => this.set(prefix + key, value),
      del: (key: string) => this.del(prefix + key),
      flushAll: () => {
        for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
      },
    };
  }

  /** Stops the sweep (the engine is closing); sockets never call this on a cache they were given. */
  close(): void {
    clearInterval(this.sweeper);
    this.entries.clear();
  }
  private sweep(): void {
    const now = Date.now();
    for (const [k, e] of this.entries) if (e.expires <= now) this.entries.delete(k);
  }
}

/**
 * Baileys' `Curve` (one object, shared by the whole process) is patched once per process:
 *
 * - `verify` is made to verify. Baileys calls libsignal's `verifySignature` and treats "did not
 *   throw" as valid, but libsignal returns `false` for a wrong signature instead of throwing, so
 *   stock Baileys accepts any well-formed signature — on the server's certificate chain in the
 *   noise handshake and on the account's ADV signature at pairing. Here the verdict is the
 *   function's return value.
 * - `verify` is also the main cost of a handshake: the certificate chain (intermediate against
 *   the root key, leaf against the intermediate) is checked with pure-JavaScript XEdDSA, ~19 ms of
 *   CPU per signature: 44% of the gateway's CPU in CPU profiles of a restore of 300–500 sessions,
 *   and a ~40 ms block of the event loop per handshake. A server presents the same chain to every
 *   connection, so successful checks are remembered by a hash of the exact (public key, message,
 *   signature) bytes: the same bytes get the same verdict without recomputing it; anything else,
 *   and every failure, is verified in full.
 * - `sharedKey`: libsignal builds each X25519 key object from DER, which OpenSSL 3 decodes slowly
 *   (~1.2 ms per agreement, three per handshake: 15% of the restore). Importing the same raw keys
 *   as JWK gives the same shared secret in ~0.2 ms.
 */
const VERIFIED_KEPT = 64;
export function speedUpHandshakeCrypto(): void {
  const curve = Curve as typeof Curve & { kirimFast?: true };
  if (curve.kirimFast) return;
  const verified = new Set<string>();
  const digest = (...parts: Uint8Array[]) => {
    const h = createHash('sha256');
    for (const p of parts) h.update(String(p.length)).update(':').update(p);
    return h.digest('base64');
  };
  curve.verify = (pubKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => {
    const key = digest(pubKey, message, signature);
    if (verified.has(key)) return true;
    const ok = verifySignature(pubKey, message, signature);
    if (ok) {
      if (verified.size >= VERIFIED_KEPT) verified.delete(verified.values().next().value!);
      verified.add(key);
    }
    return ok;
  };
  curve.sharedKey = (privateKey: Uint8Array, publicKey: Uint8Array) => x25519Agreement(privateKey, publicKey);
  curve.kirimFast = true;
}

/** XEdDSA verification; `pubKey` raw (32 bytes) or Signal-prefixed (33, leading 5). */
export function verifySignature(pubKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    const signalKey = pubKey.length === 33 ? pubKey : Buffer.concat([Buffer.from([5]), pubKey]);
    return libsignalCurve.verifySignature(signalKey, message, signature) === true;
  } catch {
    return false;
  }
}

/** X25519(private, public) with node:crypto; `publicKey` raw (32 bytes) or Signal-prefixed (33, leading 5). */
export function x25519Agreement(privateKey: Uint8Array, publicKey: Uint8Array): Buffer<ArrayBuffer> {
  const pub = publicKey.length === 33 && publicKey[0] === 5 ? publicKey.subarray(1) : publicKey;
  if (privateKey.length !== 32 || pub.length !== 32) throw new Error('X25519 keys must be 32 bytes');
  const b64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');
  const secret = diffieHellman({
    privateKey: createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: b64(privateKey), x: '' }, format: 'jwk' }),
    publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64(pub) }, format: 'jwk' }),
  });
  return Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength) as Buffer<ArrayBuffer>;
}

/**
 * libsignal (Baileys' Signal implementation) writes its session bookkeeping to the console, with
 * the whole session record attached — root key, chain keys and the ratchet's private key — on
 * every session it opens or closes ("Closing session: SessionEntry { … privKey: <Buffer …> }").
 * A gateway's stdout ends up in log collectors, so those lines are taken off the console: the
 * message (its first argument, when it is one of libsignal's) goes to `log`, the objects are
 * dropped. Every other console call passes through unchanged.
 */
const LIBSIGNAL_LINES = [
  'Closing session:',
  'Opening session:',
  'Removing old closed session:',
  'Session already closed',
  'Session already open',
  'Closing open session in favor of incoming prekey bundle',
  'Decrypted message with closed session.',
  'Migrating session to:',
  'Failed to decrypt message with any known session',
  'Session error:',
  'V1 session storage migration error',
  'Unhandled bucket type',
  'WARNING: Expected pubkey of length 33',
];
let libsignalSink: ((line: string) => void) | undefined;
export function quietLibsignalConsole(log: (line: string) => void): void {
  const first = libsignalSink === undefined;
  libsignalSink = log;
  if (!first) return;
  for (const method of ['log', 'info', 'warn', 'error'] as const) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      const head = args[0];
      if (typeof head === 'string' && LIBSIGNAL_LINES.some((l) => head.startsWith(l))) {
        // "Session error:" + error carries the error's message only; never the session objects
        libsignalSink!(head.split('\n')[0]);
        return;
      }
      original(...args);
    };
  }
}
