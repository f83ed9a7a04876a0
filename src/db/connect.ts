import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  close(): Promise<void>;
}

// int8 (bigint) columns hold unix-ms times and counters: all well inside 2^53.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

export interface ConnectOptions {
  /** postgres://… ; when unset, SQLite at sqlitePath. */
  url?: string;
  sqlitePath?: string;
  poolSize?: number;
}

export function connectDatabase(opts: ConnectOptions): Db {
  if (opts.url) {
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10 });
    pool.on('error', () => {
      /* an idle client died (server restart, network cut); the pool replaces it on next use */
    });
    // A client's socket can also die while the client is checked out (a query running, a
    // transaction between statements). The query gets the error, but the client then emits
    // 'error' too, and pg-pool listens only to idle clients: unheard, that kills the process.
    pool.on('connect', (client) => {
      client.on('error', () => {
        /* the query in flight already failed with it; the pool drops this client on release */
      });
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  const file = opts.sqlitePath ?? ':memory:';
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

/** Cheap liveness check used by readiness probes. */
export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db.db);
}
