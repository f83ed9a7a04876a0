import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { connectDatabase, migrate, type Db } from '../db/index.js';
import { silentLogger } from '../core/logger.js';
import { AppError } from '../core/errors.js';
import { DbStateStore, FsStateStore, Keyring, S3StateStore, StaleEpochError, StateVault, type StateRef, type StateStore } from '../state-store/index.js';
import { createTestPg, type TestPg } from '../../test/support/pg.js';
import { startTestS3, type TestS3 } from '../../test/support/s3-server.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { FencedStateStore } from './fenced-state-store.js';
import { PgLeaseStore } from './pg-lease-store.js';

/** A node that lost its lease can't overwrite the state of the node that took the session over. */
describe('fencing: stale-epoch state writes are refused (PostgreSQL)', () => {
  let pg: TestPg;
  let db: Db;
  let leases: PgLeaseStore;
  let s3: TestS3;
  const dir = tempDir();
  const TTL = 400;

  beforeAll(async () => {
    pg = await createTestPg();
    db = connectDatabase({ url: pg.url, poolSize: 4 });
    await migrate(db);
    leases = new PgLeaseStore(db.db);
    s3 = await startTestS3();
  });
  afterAll(async () => {
    await db.close();
    await pg.drop();
    await s3?.destroy();
    dir.cleanup();
  });

  const s3Store = () =>
    new S3StateStore({
      bucket: s3.bucket,
      prefix: 'fencing',
      endpoint: s3.endpoint,
      region: 'us-east-1',
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      forcePathStyle: true,
    });
  const newRef = (): StateRef => ({ workspaceId: 'default', sessionId: `ses_${randomBytes(4).toString('hex')}` });

  /** A takes the session (epoch e1), its lease lapses, B takes it over (epoch e2). */
  async function handover(sessionId: string) {
    const e1 = (await leases.acquire('node-a', [sessionId], TTL)).get(sessionId)!;
    await new Promise((r) => setTimeout(r, TTL + 150));
    const e2 = (await leases.acquire('node-b', [sessionId], TTL * 20)).get(sessionId)!;
    expect(e2).toBeGreaterThan(e1);
    return { e1, e2 };
  }

  /** Each node's view of one shared store, as cluster mode builds it (setup.ts wraps every store). */
  const fenced = (make: () => StateStore) => () => ({
    a: new FencedStateStore(make(), leases, 'node-a'),
    b: new FencedStateStore(make(), leases, 'node-b'),
    c: new FencedStateStore(make(), leases, 'node-c'),
  });
  const cases: Array<[string, () => { a: StateStore; b: StateStore; c: StateStore }]> = [
    ['db store on its own (epoch checked in the write statement)', () => ({ a: new DbStateStore(db), b: new DbStateStore(db), c: new DbStateStore(db) })],
    ['db store as a cluster node uses it', fenced(() => new DbStateStore(db))],
    ['fs store behind the lease check', fenced(() => new FsStateStore(`${dir.dir}/sessions`))],
    ['s3 store (s3rver) behind the lease check', fenced(s3Store)],
  ];

  it.each(cases)('%s', async (_name, make) => {
    const { a, b } = make();
    const ref = newRef();
    const first = (await leases.acquire('node-a', [ref.sessionId], TTL)).get(ref.sessionId)!;
    await a.write(ref, Buffer.from('from A'), { epoch: first });
    await leases.release('node-a', [ref.sessionId]);
    const { e1, e2 } = await handover(ref.sessionId);
    await b.write(ref, Buffer.from('from B'), { epoch: e2 });
    const stale = await a.write(ref, Buffer.from('late write from A'), { epoch: e1 }).catch((e) => e);
    expect(stale).toBeInstanceOf(StaleEpochError);
    expect((await b.read(ref))?.toString()).toBe('from B');
    await b.write(ref, Buffer.from('B again'), { epoch: e2 });
    expect((await a.read(ref))?.toString()).toBe('B again');
  });

  it.each(cases)('%s: after a takeover and then a handover, the new owner writes and both old owners are refused', async (_name, make) => {
    const { a, b, c } = make();
    const ref = newRef();
    const { e1, e2 } = await handover(ref.sessionId); // A's lease lapsed, B took over
    await b.write(ref, Buffer.from('from B'), { epoch: e2 });
    await leases.release('node-b', [ref.sessionId]); // B hands the session over (drain, rebalance, SIGTERM) …
    const e3 = (await leases.acquire('node-c', [ref.sessionId], TTL * 20)).get(ref.sessionId)!; // … and C takes it
    expect(e3).toBeGreaterThan(e2);
    await c.write(ref, Buffer.from('from the next owner'), { epoch: e3 });
    expect(await a.write(ref, Buffer.from('late A'), { epoch: e1 }).catch((e) => e)).toBeInstanceOf(StaleEpochError);
    expect(await b.write(ref, Buffer.from('late B'), { epoch: e2 }).catch((e) => e)).toBeInstanceOf(StaleEpochError);
    expect((await c.read(ref))?.toString()).toBe('from the next owner');
  });

  it.each(cases.slice(1))('%s: the node that lost the session cannot delete it; the owner can', async (_name, make) => {
    const { a, b } = make();
    const ref = newRef();
    const { e2 } = await handover(ref.sessionId);
    await b.write(ref, Buffer.from('from B'), { epoch: e2 });
    const refused = await a.delete(ref).catch((e) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'session_busy', message: expect.stringContaining('node-b') });
    expect((await b.read(ref))?.toString()).toBe('from B');
    await b.delete(ref);
    expect(await a.read(ref)).toBeNull();
  });

  it.each(cases.slice(1))('%s: a session nobody holds (stopped, or its lease ended) can be deleted by any node', async (_name, make) => {
    const { a, b } = make();
    const ref = newRef();
    const e1 = (await leases.acquire('node-b', [ref.sessionId], TTL)).get(ref.sessionId)!;
    await b.write(ref, Buffer.from('from B'), { epoch: e1 });
    await leases.release('node-b', [ref.sessionId]);
    await a.delete(ref);
    expect(await b.read(ref)).toBeNull();
  });

  it('the vault reports a lost fence once and stops retrying the stale write', async () => {
    const ref = newRef();
    const lost: string[] = [];
    const keyring = new Keyring(randomBytes(32), []);
    const vaultA = new StateVault({ store: new DbStateStore(db), keyring, logger: silentLogger, onFenceLost: (r) => lost.push(r.sessionId) });
    const { e1, e2 } = await handover(ref.sessionId);
    const b = new DbStateStore(db);
    await b.write(ref, Buffer.from('B'), { epoch: e2 });
    const h = vaultA.forSession(ref);
    h.setFence({ epoch: e1 });
    h.markDirty(() => ({ creds: { stale: true }, preKeys: { firstId: 1, privateKeys: new Uint8Array(0) }, keys: new Map() }));
    await expect(h.flush()).rejects.toBeInstanceOf(StaleEpochError);
    expect(lost).toEqual([ref.sessionId]);
    expect(vaultA.backlog()).toMatchObject({ pending: 0, failing: 0 });
    expect((await b.read(ref))?.toString()).toBe('B');
    await vaultA.close();
  });
});
