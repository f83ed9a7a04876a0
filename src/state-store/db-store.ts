import type { Db } from '../db/index.js';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { type StateRef, type StateStore, StaleEpochError, type WriteFence } from './port.js';
import { assertStateRef } from './state-ref.js';

const PAGE = 500;

export class StateOwnershipError extends Error {
  constructor(ref: StateRef) {
    super(`state of session ${ref.sessionId} belongs to another workspace`);
    this.name = 'StateOwnershipError';
  }
}

/**
 * The `session_state` table (SQLite or PostgreSQL). The fence is one statement:
 * `INSERT … ON CONFLICT (session_id) DO UPDATE … WHERE session_state.epoch <= excluded.epoch`,
 * so a node holding a stale epoch cannot overwrite, even racing another node. Session ids are the
 * primary key (they are globally unique in kirim); every query also matches the workspace.
 */
export class DbStateStore implements StateStore {
  readonly kind = 'db' as const;
  readonly enforcesFence = true;
  readonly location: string;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock = systemClock,
  ) {
    this.location = `db:${db.dialect}`;
  }

  async read(ref: StateRef): Promise<Buffer | null> {
    assertStateRef(ref);
    const row = await this.db.db
      .selectFrom('session_state')
      .select('data')
      .where('session_id', '=', ref.sessionId)
      .where('workspace_id', '=', ref.workspaceId)
      .executeTakeFirst();
    return row ? Buffer.from(row.data) : null;
  }

  async write(ref: StateRef, data: Buffer, fence?: WriteFence): Promise<void> {
    assertStateRef(ref);
    const now = this.clock.now();
    const result = await this.db.db
      .insertInto('session_state')
      .values({ session_id: ref.sessionId, workspace_id: ref.workspaceId, data, epoch: fence?.epoch ?? 0, updated_at: now })
      .onConflict((oc) => {
        const update = oc.column('session_id').doUpdateSet((eb) =>
          fence
            ? { data: eb.ref('excluded.data'), updated_at: eb.ref('excluded.updated_at'), epoch: eb.ref('excluded.epoch') }
            : { data: eb.ref('excluded.data'), updated_at: eb.ref('excluded.updated_at') },
        );
        const owned = update.where('session_state.workspace_id', '=', ref.workspaceId);
        return fence ? owned.where('session_state.epoch', '<=', fence.epoch) : owned;
      })
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0n) > 0) return;
    const row = await this.db.db.selectFrom('session_state').select(['workspace_id']).where('session_id', '=', ref.sessionId).executeTakeFirst();
    if (row && row.workspace_id !== ref.workspaceId) throw new StateOwnershipError(ref);
    throw new StaleEpochError(ref, fence?.epoch ?? 0);
  }

  async delete(ref: StateRef): Promise<void> {
    assertStateRef(ref);
    await this.db.db
      .deleteFrom('session_state')
      .where('session_id', '=', ref.sessionId)
      .where('workspace_id', '=', ref.workspaceId)
      .execute();
  }

  async *list(): AsyncIterable<StateRef> {
    let after = '';
    for (;;) {
      const rows = await this.db.db
        .selectFrom('session_state')
        .select(['workspace_id', 'session_id'])
        .where('session_id', '>', after)
        .orderBy('session_id')
        .limit(PAGE)
        .execute();
      for (const r of rows) yield { workspaceId: r.workspace_id, sessionId: r.session_id };
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1].session_id;
    }
  }

  /** The database belongs to whoever opened it; closing the store leaves it open. */
  async close(): Promise<void> {}
}
