import { AppError } from '../core/errors.js';
import { type StateRef, type StateStore, StaleEpochError, type WriteFence } from '../state-store/index.js';
import type { LeaseStore } from './lease-store.js';

/**
 * The state store as a cluster node uses it: a node that lost a session can neither overwrite
 * nor delete the state of the node that took it over.
 *
 * Writes: the `db` store checks the epoch in the same statement as the write, so its writes pass
 * straight through. For `fs` and `s3`, which can't check an epoch themselves, this node must still
 * hold the session's lease at the write's epoch, checked just before the write. That check and the
 * write are two steps, not one atomic operation: the lease could in principle end between them.
 * It is safe enough because a node never gets near that point while writing — it drops every
 * session at 70 % of the lease time after its last successful renewal (cluster-node.ts's watchdog),
 * and renews at 50 %, so a write that passed the check has at least 30 % of the lease time (3 s by
 * default) to land before any other node may take the session. A write stalled longer than that
 * (a frozen process) is the remaining, accepted gap; the `db` store has none.
 *
 * Deletes (logout, DELETE /v1/sessions/{id}) carry no epoch: they are refused, for every store,
 * while another node holds a live lease on the session. The owner itself, and a node deleting a
 * stopped session nobody holds, may delete.
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
    if (fence && !this.inner.enforcesFence && !(await this.leases.holds(this.nodeId, ref.sessionId, fence.epoch))) {
      throw new StaleEpochError(ref, fence.epoch);
    }
    await this.inner.write(ref, data, fence);
  }

  async delete(ref: StateRef): Promise<void> {
    const lease = await this.leases.get(ref.sessionId);
    if (lease && lease.holder !== this.nodeId && lease.expiresAt >= (await this.leases.now())) {
      throw new AppError('session_busy', `session ${ref.sessionId} is connected by node ${lease.holder}; only that node may delete its state — retry through it`);
    }
    await this.inner.delete(ref);
  }

  list(): AsyncIterable<StateRef> {
    return this.inner.list();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
