import type { Kysely, Updateable } from 'kysely';
import type { Database, WebhooksTable } from '../db/index.js';
import type { WebhookRow } from './webhook-views.js';

/** The `webhooks` table, and what enabling or disabling one does to its queued deliveries. */
export class WebhookRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: WebhookRow): Promise<void> {
    await this.db.insertInto('webhooks').values(row).execute();
  }

  async get(workspaceId: string, id: string): Promise<WebhookRow | undefined> {
    return this.db.selectFrom('webhooks').selectAll().where('id', '=', id).where('workspace_id', '=', workspaceId).executeTakeFirst();
  }

  async getById(id: string): Promise<WebhookRow | undefined> {
    return this.db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(workspaceId: string): Promise<WebhookRow[]> {
    return this.db.selectFrom('webhooks').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at', 'asc').orderBy('id', 'asc').execute();
  }

  async listEnabled(): Promise<WebhookRow[]> {
    return this.db.selectFrom('webhooks').selectAll().where('enabled', '=', 1).execute();
  }

  /**
   * Updates a webhook. Disabling parks its pending deliveries (no next attempt); enabling
   * schedules the parked ones now. Both in one transaction. False when there is no such webhook.
   */
  async update(workspaceId: string, id: string, patch: Updateable<WebhooksTable>, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const res = await trx.updateTable('webhooks').set(patch).where('id', '=', id).where('workspace_id', '=', workspaceId).executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) return false;
      if (patch.enabled === undefined) return true;
      const pending = trx.updateTable('webhook_deliveries').where('webhook_id', '=', id).where('status', '=', 'pending');
      if (patch.enabled === 0) await pending.set({ next_attempt_at: null, updated_at: now }).execute();
      else await pending.where('next_attempt_at', 'is', null).set({ next_attempt_at: now, updated_at: now }).execute();
      return true;
    });
  }

  /** Deletes a webhook and every delivery of it. False when there is no such webhook. */
  async delete(workspaceId: string, id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const res = await trx.deleteFrom('webhooks').where('id', '=', id).where('workspace_id', '=', workspaceId).executeTakeFirst();
      if (Number(res.numDeletedRows) === 0) return false;
      await trx.deleteFrom('webhook_deliveries').where('webhook_id', '=', id).execute();
      return true;
    });
  }
}
