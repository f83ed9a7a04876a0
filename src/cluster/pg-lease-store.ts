import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/index.js';
import type { Lease, LeaseStore } from './lease-store.js';

/** The database's clock in unix ms: every node agrees on when a lease expires. */
const NOW = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** Leases in PostgreSQL: each operation is one statement, so concurrent nodes can't both win. */
export class PgLeaseStore implements LeaseStore {
  constructor(private readonly db: Kysely<Database>) {}

  async acquire(holder: string, keys: string[], ttlMs: number): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (!keys.length) return out;
    const res = await sql<{ key: string; epoch: number }>`
      insert into leases (key, holder, epoch, expires_at)
      select k, ${holder}, 1, ${NOW} + ${ttlMs} from unnest(${keys}::text[]) as k
      on conflict (key) do update
        set holder = excluded.holder, epoch = leases.epoch + 1, expires_at = excluded.expires_at
        where leases.expires_at < ${NOW} or leases.holder = excluded.holder
      returning key, epoch`.execute(this.db);
    for (const r of res.rows) out.set(r.key, Number(r.epoch));
    return out;
  }

  async renew(holder: string, ttlMs: number): Promise<Set<string>> {
    const res = await sql<{ key: string }>`
      update leases set expires_at = ${NOW} + ${ttlMs}
      where holder = ${holder} and expires_at >= ${NOW}
      returning key`.execute(this.db);
    return new Set(res.rows.map((r) => r.key));
  }

  async release(holder: string, keys: string[]): Promise<void> {
    if (!keys.length) return;
    // ended, not deleted: the row keeps its epoch, so the next holder's is higher (epochs never go back)
    await this.db.updateTable('leases').set({ expires_at: 0 }).where('holder', '=', holder).where('key', 'in', keys).execute();
  }

  async holds(holder: string, key: string, epoch: number): Promise<boolean> {
    const res = await sql<{ ok: number }>`
      select 1 as ok from leases where key = ${key} and holder = ${holder} and epoch = ${epoch} and expires_at >= ${NOW}`.execute(this.db);
    return res.rows.length > 0;
  }

  async get(key: string): Promise<Lease | null> {
    const row = await this.db.selectFrom('leases').selectAll().where('key', '=', key).executeTakeFirst();
    return row ? { key: row.key, holder: row.holder, epoch: Number(row.epoch), expiresAt: Number(row.expires_at) } : null;
  }

  async now(): Promise<number> {
    const res = await sql<{ now: number }>`select ${NOW} as now`.execute(this.db);
    return Number(res.rows[0].now);
  }
}
