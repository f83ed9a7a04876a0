import pg from 'pg';
import { randomBytes } from 'node:crypto';

/** PostgreSQL on this machine (CI starts it). Tests that need it fail loudly when it is down. */
export const PG_BASE_URL = process.env.KIRIM_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestPg {
  /** A connection URL whose search_path is a fresh schema, so tests never see each other's rows. */
  url: string;
  schema: string;
  drop(): Promise<void>;
}

export async function createTestPg(): Promise<TestPg> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_BASE_URL });
  await admin.connect();
  try {
    await admin.query(`create schema ${schema}`);
  } finally {
    await admin.end();
  }
  const u = new URL(PG_BASE_URL);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: u.toString(),
    schema,
    async drop() {
      const c = new pg.Client({ connectionString: PG_BASE_URL });
      await c.connect();
      try {
        await c.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await c.end();
      }
    },
  };
}
