/**
 * The lease-store port: who owns what, for how long, and with which fencing epoch. A session is
 * connected only by the holder of its lease; every state write carries the epoch, so a node that
 * lost its lease can't overwrite the state of the node that took over.
 */
export interface Lease {
  key: string;
  holder: string;
  epoch: number;
  expiresAt: number;
}

export interface LeaseStore {
  /**
   * Takes every key that is free, expired, or already held by `holder`; the epoch of each taken
   * key grows by one. Returns the taken keys with their new epochs (keys held by others are left out).
   */
  acquire(holder: string, keys: string[], ttlMs: number): Promise<Map<string, number>>;
  /** Extends all of `holder`'s live leases; returns the keys it still holds. */
  renew(holder: string, ttlMs: number): Promise<Set<string>>;
  /**
   * Gives keys back at once (a handover), so the next holder needn't wait for expiry. The lease
   * ends but its epoch stays: epochs of a key only ever grow, or the next holder's state writes
   * would look older than its predecessor's.
   */
  release(holder: string, keys: string[]): Promise<void>;
  /** True when `holder` holds `key` at `epoch` and the lease has not expired. */
  holds(holder: string, key: string, epoch: number): Promise<boolean>;
  get(key: string): Promise<Lease | null>;
  /** The store's clock (leases expire by it, whatever the nodes' clocks say). */
  now(): Promise<number>;
}
