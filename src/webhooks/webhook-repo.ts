import type { Kysely, Updateable } from 'kysely';
import type { Database, WebhooksTable } from '../db/index.js';
import type { WebhookRow } from './webhook-views.js';

/**
 * Encrypts signing secrets at rest (the gateway seals them under the state key). `open` returns a
 * value stored before sealing existed as it is; `stale` says a value should be sealed again
 * (plaintext, or under a key that is no longer the current one).
 */
export interface SecretSealer {
  seal(plaintext: string, context: string): string;
  open(stored: string, context: string): string;
  stale(stored: string): boolean;
}

/**
 * The `webhooks` table, and what enabling or disabling one does to its queued deliveries. Secrets
 * are sealed on the way in and opened only where they sign (`getById`, `listEnabled`); the other
 * reads serve API views, which never show a secret.
 */
export class WebhookRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly sealer: SecretSealer,
    /** A secret that cannot be opened (its key is not configured): that webhook is left out. */
    private readonly onUnopenable: (webhookId: string, err: unknown) => void = () => {},
  ) {}

  async insert(row: WebhookRow): Promise<void> {
    await this.db.insertInto('webhooks').values({ ...row, secret: this.sealer.seal(row.secret, row.id) }).execute();
  }

  /** Seals again every secret stored in plaintext or under an older key; returns how many. */
  async resealStale(): Promise<number> {
    const rows = await this.db.selectFrom('webhooks').select(['id', 'secret']).execute();
    let n = 0;
    for (const { id, secret } of rows) {
      if (!this.sealer.stale(secret)) continue;
      let sealed: string;
      try {
        sealed = this.sealer.seal(this.sealer.open(secret, id), id);
      } catch (err) {
        this.onUnopenable(id, err);
        continue;
      }
      // only if nobody changed it meanwhile (another node sealing it too)
      const res = await this.db.updateTable('webhooks').set({ secret: sealed }).where('id', '=', id).where('secret', '=', secret).executeTakeFirst();
      n += Number(res.numUpdatedRows);
    }
    return n;
  }

  async get(workspaceId: string, id: string): Promise<WebhookRow | undefined> {
    return this.db.selectFrom('webhooks').selectAll().where('id', '=', id).where('workspace_id', '=', workspaceId).executeTakeFirst();
  }

  /** With its secret opened; throws when it cannot be (its key is not configured). */
  async getById(id: string): Promise<WebhookRow | undefined> {
    const row = await this.db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
    return row && this.opened(row);
  }

  async list(workspaceId: string): Promise<WebhookRow[]> {
    return this.db.selectFrom('webhooks').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at', 'asc').orderBy('id', 'asc').execute();
  }

  /** With their secrets opened; a webhook whose secret cannot be opened is left out (and reported). */
  async listEnabled(): Promise<WebhookRow[]> {
    const rows = await this.db.selectFrom('webhooks').selectAll().where('enabled', '=', 1).execute();
    const out: WebhookRow[] = [];
    for (const r of rows) {
      try {
        out.push(this.opened(r));
      } catch (err) {
        this.onUnopenable(r.id, err);
      }
    }
    return out;
  }

  private opened(row: WebhookRow): WebhookRow {
    return { ...row, secret: this.sealer.open(row.secret, row.id) };
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
