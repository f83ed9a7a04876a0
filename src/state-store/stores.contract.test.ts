import { afterAll, beforeAll } from 'vitest';
import { connectDatabase, migrate } from '../db/index.js';
import { createTestPg } from '../../test/support/pg.js';
import { startTestS3, type TestS3 } from '../../test/support/s3-server.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { DbStateStore } from './db-store.js';
import { FsStateStore } from './fs-store.js';
import { MemoryStateStore } from './memory-store.js';
import { S3StateStore } from './s3-store.js';
import { runStateStoreContract } from './store-contract.js';

runStateStoreContract({ name: 'memory', create: async () => ({ store: new MemoryStateStore() }) });

runStateStoreContract({
  name: 'fs',
  create: async () => {
    const t = tempDir();
    return { store: new FsStateStore(t.dir), cleanup: t.cleanup };
  },
});

runStateStoreContract({
  name: 'db (sqlite)',
  create: async () => {
    const db = connectDatabase({ sqlitePath: ':memory:' });
    await migrate(db);
    return { store: new DbStateStore(db), cleanup: () => db.close() };
  },
});

runStateStoreContract({
  name: 'db (postgres)',
  create: async () => {
    const pg = await createTestPg();
    const db = connectDatabase({ url: pg.url, poolSize: 4 });
    await migrate(db);
    return {
      store: new DbStateStore(db),
      cleanup: async () => {
        await db.close();
        await pg.drop();
      },
    };
  },
});

let s3: TestS3;
let prefixes = 0;
beforeAll(async () => {
  s3 = await startTestS3();
});
afterAll(async () => {
  await s3?.destroy();
});
runStateStoreContract({
  name: 's3 (s3rver)',
  create: async () => ({
    store: new S3StateStore({
      bucket: s3.bucket,
      prefix: `t${prefixes++}/state`,
      endpoint: s3.endpoint,
      region: 'us-east-1',
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      forcePathStyle: true,
    }),
  }),
});
