import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { connectDatabase, migrate, type Db } from './index.js';
import { createTestPg, type TestPg } from '../../test/support/pg.js';
import { startTcpProxy } from '../../test/support/tcp-proxy.js';

/** The database contract: the same migrations and queries behave the same on both dialects. */
function runDatabaseContract(name: string, open: () => Promise<{ db: Db; cleanup(): Promise<void> }>) {
  describe(`database contract: ${name}`, () => {
    it('migrates idempotently and round-trips rows with bigint times and blobs', async () => {
      const { db, cleanup } = await open();
      try {
        const first = await migrate(db);
        expect(first).toContain('001-initial');
        expect(await migrate(db)).toEqual([]);
        const now = Date.now();
        await db.db.insertInto('workspaces').values({ id: 'w1', name: 'default', created_at: now }).execute();
        await db.db
          .insertInto('session_state')
          .values({ session_id: 's1', workspace_id: 'w1', data: Buffer.from([0, 1, 2, 255]), epoch: 7, updated_at: now })
          .execute();
        const row = await db.db.selectFrom('session_state').selectAll().where('session_id', '=', 's1').executeTakeFirstOrThrow();
        expect(row.epoch).toBe(7);
        expect(row.updated_at).toBe(now);
        expect(Buffer.from(row.data)).toEqual(Buffer.from([0, 1, 2, 255]));
        const one = await sql<{ v: number }>`select 1 as v`.execute(db.db);
        expect(Number(one.rows[0].v)).toBe(1);
      } finally {
        await cleanup();
      }
    });
  });
}

runDatabaseContract('sqlite', async () => {
  const db = connectDatabase({ sqlitePath: ':memory:' });
  return { db, cleanup: () => db.close() };
});

let pgs: TestPg[] = [];
runDatabaseContract('postgres', async () => {
  const t = await createTestPg();
  pgs.push(t);
  const db = connectDatabase({ url: t.url, poolSize: 2 });
  return { db, cleanup: () => db.close() };
});
afterAll(async () => {
  await Promise.all(pgs.map((p) => p.drop()));
  pgs = [];
});

describe('postgres: the network to the database drops', () => {
  it('fails the queries in flight, keeps the process up, and works again once the network is back', async () => {
    const t = await createTestPg();
    pgs.push(t);
    const proxy = await startTcpProxy('127.0.0.1', 5432);
    const viaProxy = new URL(t.url);
    viaProxy.port = String(proxy.port);
    const db = connectDatabase({ url: viaProxy.toString(), poolSize: 3 });
    try {
      await sql`select 1`.execute(db.db); // a connection made and back in the pool (idle)
      // one query running, one connection checked out by a transaction between its statements
      let inTx!: () => void;
      let cutDone!: () => void;
      const txHolding = new Promise<void>((r) => (inTx = r));
      const afterCut = new Promise<void>((r) => (cutDone = r));
      const tx = db.db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        inTx();
        await afterCut; // the connection stays checked out, idle in the transaction, across the cut
        await sql`select 2`.execute(trx);
      });
      const running = sql`select pg_sleep(5)`.execute(db.db);
      await txHolding;
      await proxy.cut();
      cutDone();
      // a checked-out client whose socket dies emits 'error': with no listener that kills the process
      await expect(running).rejects.toThrow();
      await expect(tx).rejects.toThrow();
      await proxy.restore();
      const back = await sql<{ v: number }>`select 3 as v`.execute(db.db);
      expect(Number(back.rows[0].v)).toBe(3);
    } finally {
      await db.close().catch(() => undefined);
      await proxy.close();
    }
  }, 20_000);
});
