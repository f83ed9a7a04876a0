import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import { connectDatabase, migrate } from '../db/index.js';
import { createTestPg } from '../../test/support/pg.js';
import { startTestS3, type TestS3 } from '../../test/support/s3-server.js';
import { tempDir } from '../../test/support/temp-dir.js';
import type { AuthSnapshot } from './auth-snapshot.js';
import { decodeAuthState, isUnderCurrentKey } from './codec.js';
import { DbStateStore } from './db-store.js';
import { StateDecodeError } from './decode-error.js';
import { FsStateStore } from './fs-store.js';
import { Keyring } from './keyring.js';
import { type StateRef, type StateStore, StaleEpochError, type WriteFence } from './port.js';
import { rotateStateKey } from './rotate-key.js';
import { S3StateStore } from './s3-store.js';
import { decodeSpillRecord } from './spill-record.js';
import { StateVault, type StateVaultOptions, type WriteEvent } from './state-vault.js';

/**
 * Shutdown while the store is down: the vault retries for its budget, then spills the unsaved
 * envelopes to local files; the next start writes them to the store — only where the store still
 * holds what they were derived from, so a spill never overwrites later state.
 */

const MARKER = 'plaintext-marker-7f3a';
const snap = (n: number): AuthSnapshot => ({ creds: { n, note: MARKER }, preKeys: { firstId: 1, privateKeys: Buffer.alloc(64, n) }, keys: new Map() });
const ref = (sessionId: string): StateRef => ({ workspaceId: 'w', sessionId });

/** A real store that can be made unreachable (reads and writes), or to lose the answer of a write that landed. */
class Switchable implements StateStore {
  down = false;
  loseAnswers = false;
  constructor(readonly inner: StateStore) {}
  get kind() {
    return this.inner.kind;
  }
  get location() {
    return this.inner.location;
  }
  get enforcesFence() {
    return this.inner.enforcesFence;
  }
  private check() {
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:9');
  }
  async read(r: StateRef) {
    this.check();
    return this.inner.read(r);
  }
  async write(r: StateRef, data: Buffer, fence?: WriteFence) {
    this.check();
    await this.inner.write(r, data, fence);
    if (this.loseAnswers) throw new Error('socket hang up (the write landed)');
  }
  async delete(r: StateRef) {
    this.check();
    return this.inner.delete(r);
  }
  list() {
    return this.inner.list();
  }
  close() {
    return this.inner.close();
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
function dir(): string {
  const t = tempDir('kirim-spill-');
  cleanups.push(t.cleanup);
  return t.dir;
}
function vaultOf(opts: Partial<StateVaultOptions> & Pick<StateVaultOptions, 'store' | 'keyring'>): StateVault {
  const v = new StateVault({ logger: silentLogger, flushDelayMs: 5, retry: { baseMs: 20, maxMs: 100 }, shutdownBudgetMs: 300, ...opts });
  cleanups.push(() => v.close());
  return v;
}
async function storedN(store: StateStore, r: StateRef, keyring: Keyring): Promise<number | null> {
  const env = await store.read(r);
  return env ? ((await decodeAuthState(env, r, keyring)).snapshot.creds.n as number) : null;
}
/** The spill files, as `workspace/session` names. */
function spillFiles(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort();
}

/** A session stored at `base` (null: never stored), then changed to `n` while the store is down, then a shutdown. */
async function spillOne(store: Switchable, spillRoot: string, keyring: Keyring, r: StateRef, base: number | null, n: number, fence?: WriteFence) {
  const vault = vaultOf({ store, keyring, spill: new FsStateStore(spillRoot), shutdownBudgetMs: 50 });
  const h = vault.forSession(r);
  if (fence) h.setFence(fence);
  await h.load();
  if (base !== null) {
    h.markDirty(() => snap(base));
    await h.flush();
  }
  store.down = true;
  h.markDirty(() => snap(n));
  await vault.close();
  store.down = false;
  expect(spillFiles(spillRoot)).toContain(`w/${r.sessionId}.kst`);
}

describe('StateVault shutdown during a store outage: spill and replay', () => {
  let s3: TestS3 | undefined;
  afterEach(async () => {
    await s3?.destroy();
    s3 = undefined;
  });
  const s3Store = (prefix: string, endpoint = s3!.endpoint, requestTimeoutMs = 2_000) =>
    new S3StateStore({ bucket: 'kirim-test', prefix, endpoint, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true, requestTimeoutMs });

  it('S3 stopped at shutdown: retries for the budget, spills encrypted files, and the next start writes them to S3', async () => {
    s3 = await startTestS3();
    const spillRoot = path.join(dir(), 'state-spill');
    const keyring = Keyring.generate();
    const store = s3Store('spill');
    const events: WriteEvent[] = [];
    const vault = vaultOf({ store, keyring, spill: new FsStateStore(spillRoot), shutdownBudgetMs: 800, onWrite: (e) => events.push(e) });
    const [a, b, c] = [ref('a'), ref('b'), ref('c')];
    const [ha, hb, hc] = [a, b, c].map((r) => vault.forSession(r));
    for (const h of [ha, hb, hc]) expect(await h.load()).toBeNull();
    ha.markDirty(() => snap(1));
    hb.markDirty(() => snap(1));
    await vault.flushAll();

    await s3.stop();
    ha.markDirty(() => snap(2)); // used pre-keys, a new contact's Signal session …
    hc.markDirty(() => snap(3)); // a session never stored before
    const started = Date.now();
    const before = events.length;
    await vault.close();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(790); // it kept trying for the whole budget …
    expect(took).toBeLessThan(5_000);
    expect(events.slice(before).filter((e) => e.ref.sessionId === 'a' && e.outcome === 'failed').length).toBeGreaterThanOrEqual(2); // … more than once
    expect(vault.backlog()).toMatchObject({ spilled: 2 });
    expect(spillFiles(spillRoot)).toEqual(['w/a.kst', 'w/c.kst']); // b had nothing unsaved
    for (const f of spillFiles(spillRoot)) {
      const raw = fs.readFileSync(path.join(spillRoot, f));
      expect(raw.includes(Buffer.from(MARKER))).toBe(false); // encrypted
      expect(fs.statSync(path.join(spillRoot, f)).mode & 0o777).toBe(0o600);
    }
    const aEnvelope = decodeSpillRecord(fs.readFileSync(path.join(spillRoot, 'w/a.kst'))).envelope;
    await expect(decodeAuthState(aEnvelope, c, keyring)).rejects.toThrow(/failed authentication/); // bound to its session
    await store.close();

    await s3.start();
    const store2 = s3Store('spill');
    cleanups.push(() => store2.close());
    const next = vaultOf({ store: store2, keyring, spill: new FsStateStore(spillRoot) });
    expect(await next.replaySpills()).toEqual({ applied: 2, stored: 0, superseded: 0, kept: 0, failed: 0 });
    expect(next.backlog().spilled).toBe(0);
    expect(spillFiles(spillRoot)).toEqual([]);
    expect(await storedN(store2, a, keyring)).toBe(2);
    expect(await storedN(store2, b, keyring)).toBe(1);
    expect(await storedN(store2, c, keyring)).toBe(3);
  });

  it('a store that hangs (accepts, never answers): flushes give up and close spills at the deadline', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))));
    const endpoint = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const store = s3Store('hang', endpoint, 30_000);
    cleanups.push(() => store.close());
    const spillRoot = dir();
    const vault = vaultOf({ store, keyring: Keyring.generate(), spill: new FsStateStore(spillRoot), shutdownBudgetMs: 600, flushDelayMs: 60_000 });
    const h = vault.forSession(ref('h'));
    h.markDirty(() => snap(1));
    const started = Date.now();
    vault.beginShutdown();
    await expect(h.flush()).rejects.toThrow(/did not finish before the shutdown deadline/);
    await vault.close();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(590);
    expect(took).toBeLessThan(3_000);
    expect(spillFiles(spillRoot)).toEqual(['w/h.kst']);
    expect(sockets.length).toBeGreaterThanOrEqual(1); // the write did reach the server, which never answered
  });

  it('never overwrites later state; the same state, a lost answer, a key rotation in between are no obstacle', async () => {
    const spillRoot = dir();
    const oldKey = Keyring.generate();
    const store = new Switchable(new FsStateStore(dir()));
    const [later, same, landed, rotated, loaded, deleted] = ['later', 'same', 'landed', 'rotated', 'loaded', 'deleted'].map(ref);
    for (const r of [later, same, rotated, loaded, deleted]) await spillOne(store, spillRoot, oldKey, r, 1, 2);

    // another writer (an import, the node that took the session over) stored state after the spill
    const other = vaultOf({ store, keyring: oldKey });
    other.forSession(later).markDirty(() => snap(9));
    await other.flushAll();
    // the spilled state itself reached the store meanwhile
    other.forSession(same).markDirty(() => snap(2));
    await other.flushAll();
    // a write whose answer was lost had landed, and the state moved on after it
    {
      const v = vaultOf({ store, keyring: oldKey, spill: new FsStateStore(spillRoot), shutdownBudgetMs: 50 });
      const h = v.forSession(landed);
      await h.load();
      h.markDirty(() => snap(1));
      await h.flush();
      store.loseAnswers = true;
      h.markDirty(() => snap(2));
      await expect(h.flush()).rejects.toThrow(/hang up/);
      store.loseAnswers = false;
      store.down = true;
      h.markDirty(() => snap(3));
      await v.close();
      store.down = false;
      expect(await storedN(store, landed, oldKey)).toBe(2);
    }

    // the key is rotated while the spill waits
    const newKey = new Keyring(Buffer.alloc(32, 9), [oldKey.current.key]);
    expect((await rotateStateKey(store, newKey)).rotated).toBe(6);

    // the session loads before any replay: the load settles its spill first
    const next = vaultOf({ store, keyring: newKey, spill: new FsStateStore(spillRoot) });
    expect((await next.forSession(loaded).load())?.creds).toMatchObject({ n: 2 });
    expect(spillFiles(spillRoot)).not.toContain('w/loaded.kst');
    // a deleted session's spill goes with it
    await next.forSession(deleted).delete();
    expect(spillFiles(spillRoot)).not.toContain('w/deleted.kst');

    expect(await next.replaySpills()).toEqual({ applied: 2, stored: 1, superseded: 1, kept: 0, failed: 0 });
    expect(await storedN(store, later, newKey)).toBe(9); // the later state won
    expect(await storedN(store, same, newKey)).toBe(2);
    expect(await storedN(store, landed, newKey)).toBe(3);
    expect(await storedN(store, rotated, newKey)).toBe(2);
    expect(await storedN(store, deleted, newKey)).toBeNull();
    expect(isUnderCurrentKey((await store.read(rotated))!, new Keyring(Buffer.alloc(32, 9)))).toBe(true);
    expect(spillFiles(spillRoot)).toEqual([]);
  });

  it('a spill that does not decrypt is kept and reported, never skipped silently', async () => {
    const spillRoot = dir();
    const oldKey = Keyring.generate();
    const store = new Switchable(new FsStateStore(dir()));
    const r = ref('k');
    await spillOne(store, spillRoot, oldKey, r, 1, 2);
    const wrongKeys = Keyring.generate();
    const withoutOld = vaultOf({ store, keyring: wrongKeys, spill: new FsStateStore(spillRoot) });
    expect(await withoutOld.replaySpills()).toMatchObject({ applied: 0, failed: 1 });
    expect(withoutOld.backlog().spilled).toBe(1);
    const err = await withoutOld.forSession(r).load().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateDecodeError);
    expect((err as Error).message).toMatch(/spilled state of session k .*not configured/);
    expect(spillFiles(spillRoot)).toEqual(['w/k.kst']);
    // with the old key configured again, it is written
    const both = new Keyring(wrongKeys.current.key, [oldKey.current.key]);
    const fixed = vaultOf({ store, keyring: both, spill: new FsStateStore(spillRoot) });
    expect(await fixed.replaySpills()).toMatchObject({ applied: 1, failed: 0 });
    expect(await storedN(store, r, both)).toBe(2);
    expect(isUnderCurrentKey((await store.read(r))!, both)).toBe(true);
  });

  it('cluster (db store on PostgreSQL): settled only under a fresh lease, whose epoch the write carries; a newer owner wins', async () => {
    const pg = await createTestPg();
    cleanups.push(() => pg.drop());
    const db = connectDatabase({ url: pg.url, poolSize: 2 });
    cleanups.push(() => db.close());
    await migrate(db);
    const store = new Switchable(new DbStateStore(db));
    const spillRoot = dir();
    const keyring = Keyring.generate();
    const [tookOver, idle, busy] = [ref('took-over'), ref('idle'), ref('busy')];
    for (const r of [tookOver, idle, busy]) await spillOne(store, spillRoot, keyring, r, 1, 2, { epoch: 3 });

    // while this node was down, another node took `took-over` (epoch 4) and wrote; `idle` it took but changed nothing
    const nodeB = vaultOf({ store, keyring });
    const hb = nodeB.forSession(tookOver);
    hb.setFence({ epoch: 4 });
    await hb.load();
    hb.markDirty(() => snap(7));
    await hb.flush();

    const epochs = new Map([
      ['took-over', 5],
      ['idle', 5],
    ]); // `busy`: another node holds its lease right now
    const released: string[] = [];
    const next = vaultOf({ store, keyring, spill: new FsStateStore(spillRoot) });
    const result = await next.replaySpills({
      acquire: async (r) => epochs.get(r.sessionId) ?? null,
      release: async (r) => void released.push(r.sessionId),
    });
    expect(result).toEqual({ applied: 1, stored: 0, superseded: 1, kept: 1, failed: 0 });
    expect(released.sort()).toEqual(['idle', 'took-over']);
    expect(await storedN(store, tookOver, keyring)).toBe(7);
    expect(await storedN(store, idle, keyring)).toBe(2);
    const row = await db.db.selectFrom('session_state').select('epoch').where('session_id', '=', 'idle').executeTakeFirstOrThrow();
    expect(Number(row.epoch)).toBe(5); // written under the lease taken for it
    await expect(store.write(idle, Buffer.from('stale'), { epoch: 4 })).rejects.toBeInstanceOf(StaleEpochError);
    expect(spillFiles(spillRoot)).toEqual(['w/busy.kst']);
    expect(next.backlog().spilled).toBe(1);
  });
});
