import { type StateRef, type StateStore, StaleEpochError, type WriteFence } from '../state-store/index.js';
import type { LeaseStore } from './lease-store.js';

/**
 * Fencing for stores that can't check an epoch themselves (fs, s3): before each write, this node
 * must still hold the session's lease at the write's epoch. (The `db` store checks the epoch in
 * the same statement as the write and needs no wrapper.)
 */
export class FencedStateStore implements StateStore {
  readonly enforcesFence = true;

  constructor(
    private readonly inner: StateStore,
    private readonly leases: LeaseStore,
    private readonly nodeId: string,
  ) {}

  get kind() {
    return this.inner.kind;
  }
  get location() {
    return this.inner.location;
  }

  read(ref: StateRef): Promise<Buffer | null> {
    return this.inner.read(ref);
  }

  async write(ref: StateRef, data: Buffer, fence?: WriteFence): Promise<void> {
    if (fence && !(await this.leases.holds(this.nodeId, ref.sessionId, fence.epoch))) throw new StaleEpochError(ref, fence.epoch);
    await this.inner.write(ref, data, fence);
  }

  delete(ref: StateRef): Promise<void> {
    return this.inner.delete(ref);
  }

  list(): AsyncIterable<StateRef> {
    return this.inner.list();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
