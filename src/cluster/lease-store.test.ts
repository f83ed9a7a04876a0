import { afterAll } from 'vitest';
import { connectDatabase, migrate } from '../db/index.js';
import { createTestPg, type TestPg } from '../../test/support/pg.js';
import { runLeaseStoreContract } from './lease-store.contract.js';
import { MemoryLeaseStore } from './memory-lease-store.js';
import { PgLeaseStore } from './pg-lease-store.js';

runLeaseStoreContract({
  name: 'memory',
  async create() {
    let now = 1_000_000;
    const store = new MemoryLeaseStore({ now: () => now });
    return { store, advance: async (ms) => void (now += ms), cleanup: async () => {} };
  },
});

const schemas: TestPg[] = [];
runLeaseStoreContract({
  name: 'postgres',
  async create() {
    const pg = await createTestPg();
    schemas.push(pg);
    const db = connectDatabase({ url: pg.url, poolSize: 8 });
    await migrate(db);
    // PostgreSQL's own clock decides expiry: let real time pass
    return { store: new PgLeaseStore(db.db), advance: (ms) => new Promise((r) => setTimeout(r, ms)), cleanup: () => db.close() };
  },
});
afterAll(async () => {
  await Promise.all(schemas.map((s) => s.drop()));
});
