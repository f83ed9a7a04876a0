import { type Kysely, type Migration, Migrator, sql } from 'kysely';
import type { Db, Dialect } from './connect.js';
import * as m001 from './migrations/001-initial.js';
import * as m002 from './migrations/002-webhooks.js';
import * as m003 from './migrations/003-messages.js';
import * as m004 from './migrations/004-cluster.js';
import * as m005 from './migrations/005-delivery-retention.js';

type Step = { up(db: Kysely<any>, dialect: Dialect): Promise<void> };

/** Numbered migrations, run in order by one migrator for both dialects. Append; never edit. */
const MIGRATIONS: Record<string, Step> = {
  '001-initial': m001,
  '002-webhooks': m002,
  '003-messages': m003,
  '004-cluster': m004,
  '005-delivery-retention': m005,
};

export async function migrate(db: Db): Promise<string[]> {
  const migrations: Record<string, Migration> = {};
  for (const [name, step] of Object.entries(MIGRATIONS)) {
    migrations[name] = { up: (k) => step.up(k, db.dialect) };
  }
  // On PostgreSQL, look for the migration tables in this connection's own schema only: Kysely
  // otherwise finds another schema's lock table (two deployments, or tests, sharing a database).
  const schema =
    db.dialect === 'postgres' ? (await sql<{ s: string }>`select current_schema() as s`.execute(db.db)).rows[0]?.s : undefined;
  const migrator = new Migrator({
    db: db.db,
    ...(schema ? { migrationTableSchema: schema } : {}),
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'kirim_migrations',
    migrationLockTableName: 'kirim_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
