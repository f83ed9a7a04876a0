import { describe, expect, it } from 'vitest';
import { connectDatabase, migrate } from '../db/index.js';
import { DbStateStore, StateOwnershipError } from './db-store.js';

describe('DbStateStore', () => {
  it('refuses to write a session id that another workspace owns, leaving its state intact', async () => {
    const db = connectDatabase({ sqlitePath: ':memory:' });
    try {
      await migrate(db);
      const store = new DbStateStore(db, { now: () => 1234 });
      await store.write({ workspaceId: 'w1', sessionId: 's1' }, Buffer.from('mine'), { epoch: 2 });
      await expect(store.write({ workspaceId: 'w2', sessionId: 's1' }, Buffer.from('theirs'))).rejects.toBeInstanceOf(StateOwnershipError);
      await expect(store.write({ workspaceId: 'w2', sessionId: 's1' }, Buffer.from('theirs'), { epoch: 9 })).rejects.toBeInstanceOf(StateOwnershipError);
      expect(await store.read({ workspaceId: 'w1', sessionId: 's1' })).toEqual(Buffer.from('mine'));
      const row = await db.db.selectFrom('session_state').selectAll().executeTakeFirstOrThrow();
      expect(row).toMatchObject({ workspace_id: 'w1', epoch: 2, updated_at: 1234 });
    } finally {
      await db.close();
    }
  });
});
