import type { Clock } from '../core/clock.js';
import type { Lease, LeaseStore } from './lease-store.js';

/** Leases in memory, for unit tests of the cluster logic with a fake clock. */
export class MemoryLeaseStore implements LeaseStore {
  private readonly leases = new Map<string, Lease>();
  constructor(private readonly clock: Clock) {}

  async acquire(holder: string, keys: string[], ttlMs: number): Promise<Map<string, number>> {
    const now = this.clock.now();
    const out = new Map<string, number>();
    for (const key of keys) {
      const cur = this.leases.get(key);
      if (cur && cur.expiresAt >= now && cur.holder !== holder) continue;
      const epoch = (cur?.epoch ?? 0) + 1;
      this.leases.set(key, { key, holder, epoch, expiresAt: now + ttlMs });
      out.set(key, epoch);
    }
    return out;
  }

  async renew(holder: string, ttlMs: number): Promise<Set<string>> {
    const now = this.clock.now();
    const out = new Set<string>();
    for (const l of this.leases.values()) {
      if (l.holder === holder && l.expiresAt >= now) {
        l.expiresAt = now + ttlMs;
        out.add(l.key);
      }
    }
    return out;
  }

  async release(holder: string, keys: string[]): Promise<void> {
    for (const k of keys) {
      const l = this.leases.get(k);
      if (l?.holder === holder) l.expiresAt = 0; // ended, epoch kept: the next holder's is higher
    }
  }

  async holds(holder: string, key: string, epoch: number): Promise<boolean> {
    const l = this.leases.get(key);
    return !!l && l.holder === holder && l.epoch === epoch && l.expiresAt >= this.clock.now();
  }

  async get(key: string): Promise<Lease | null> {
    const l = this.leases.get(key);
    return l ? { ...l } : null;
  }

  async now(): Promise<number> {
    return this.clock.now();
  }
}
