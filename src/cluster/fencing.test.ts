import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { connectDatabase, migrate, type Db } from '../db/index.js';
import { silentLogger } from '../core/logger.js';
import { DbStateStore, FsStateStore, Keyring, StaleEpochError, StateVault, type StateRef, type StateStore } from '../state-store/index.js';
import { createTestPg, type TestPg } from '../../test/support/pg.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { FencedStateStore } from './fenced-state-store.js';
import { PgLeaseStore } from './pg-lease-store.js';

/** A node that lost its lease can't overwrite the state of the node that took the session over. */
describe('fencing: stale-epoch state writes are refused (PostgreSQL)', () => {
  let pg: TestPg;
  let db: Db;
  let leases: PgLeaseStore;
  const dir = tempDir();
  const TTL = 400;

  beforeAll(async () => {
    pg = await createTestPg();
    db = connectDatabase({ url: pg.url, poolSize: 4 });
    await migrate(db);
    leases = new PgLeaseStore(db.db);
  });
  afterAll(async () => {
    await db.close();
    await pg.drop();
    dir.cleanup();
  });

  /** A takes the session (epoch e1), its lease lapses, B takes it over (epoch e2). */
  async function handover(sessionId: string) {
    const e1 = (await leases.acquire('node-a', [sessionId], TTL)).get(sessionId)!;
    await new Promise((r) => setTimeout(r, TTL + 150));
    const e2 = (await leases.acquire('node-b', [sessionId], TTL * 20)).get(sessionId)!;
    expect(e2).toBeGreaterThan(e1);
    return { e1, e2 };
  }

  const cases: Array<[string, () => { a: StateStore; b: StateStore }]> = [
    ['db store (epoch checked in the write statement)', () => ({ a: new DbStateStore(db), b: new DbStateStore(db) })],
    [
      'fs store behind the lease check',
      () => ({
        a: new FencedStateStore(new FsStateStore(`${dir.dir}/sessions`), leases, 'node-a'),
        b: new FencedStateStore(new FsStateStore(`${dir.dir}/sessions`), leases, 'node-b'),
      }),
    ],
  ];

  it.each(cases)('%s', async (_name, make) => {
    const { a, b } = make();
    const ref: StateRef = { workspaceId: 'default', sessionId: `ses_${randomBytes(4).toString('hex')}` };
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

  it('the vault reports a lost fence once and stops retrying the stale write', async () => {
    const ref: StateRef = { workspaceId: 'default', sessionId: `ses_${randomBytes(4).toString('hex')}` };
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
