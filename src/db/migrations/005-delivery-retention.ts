import type { Kysely } from 'kysely';

/** Finished webhook deliveries by age, for the retention sweep (KIRIM_WEBHOOK_RETENTION_DAYS). */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('webhook_deliveries_finished').on('webhook_deliveries').columns(['status', 'updated_at']).execute();
}
