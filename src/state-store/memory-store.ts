import { type StateRef, type StateStore, StaleEpochError, type WriteFence } from './port.js';
import { assertStateRef, refKey } from './state-ref.js';

/** In-process store for tests and the sandbox; enforces the fence like the db store. */
export class MemoryStateStore implements StateStore {
  readonly kind = 'memory' as const;
  readonly location = 'memory:';
  readonly enforcesFence = true;
  private readonly rows = new Map<string, { ref: StateRef; data: Buffer; epoch: number }>();

  async read(ref: StateRef): Promise<Buffer | null> {
    assertStateRef(ref);
    const row = this.rows.get(refKey(ref));
    return row ? Buffer.from(row.data) : null;
  }

  async write(ref: StateRef, data: Buffer, fence?: WriteFence): Promise<void> {
    assertStateRef(ref);
    const key = refKey(ref);
    const stored = this.rows.get(key);
    if (fence && stored && stored.epoch > fence.epoch) throw new StaleEpochError(ref, fence.epoch);
    const epoch = fence ? fence.epoch : (stored?.epoch ?? 0);
    this.rows.set(key, { ref: { workspaceId: ref.workspaceId, sessionId: ref.sessionId }, data: Buffer.from(data), epoch });
  }

  async delete(ref: StateRef): Promise<void> {
    assertStateRef(ref);
    this.rows.delete(refKey(ref));
  }

  async *list(): AsyncIterable<StateRef> {
    for (const row of [...this.rows.values()]) yield { ...row.ref };
  }

  async close(): Promise<void> {}
}
