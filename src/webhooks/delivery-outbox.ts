import type { Insertable, Kysely, Updateable } from 'kysely';
import type { Database, Dialect, WebhookDeliveriesTable, WebhookDeliveryStatus } from '../db/index.js';
import { newId } from '../core/ids.js';
import type { WebhookPayload } from './event-payload.js';
import type { DeliveryRow } from './webhook-views.js';

export interface ClaimRequest {
  /** Who holds the claim (unique per dispatcher instance). */
  owner: string;
  now: number;
  /** How long the claim lasts; a crashed holder's rows become claimable again after it. */
  leaseMs: number;
  limit: number;
}

export interface ListRequest {
  status?: WebhookDeliveryStatus;
  limit: number;
  /** Only rows older than this delivery id (the last id of the previous page). */
  cursor?: string;
}

/** A fresh outbox row for one webhook and one event, due now. */
export function newDeliveryRow(webhook: { id: string; workspaceId: string }, payload: WebhookPayload, now: number): DeliveryRow {
  return {
    id: newId('whd', now),
    workspace_id: webhook.workspaceId,
    webhook_id: webhook.id,
    event_id: payload.id,
    event_type: payload.type,
    payload: JSON.stringify(payload),
    status: 'pending',
    attempts: 0,
    next_attempt_at: now,
    last_status_code: null,
    last_error: null,
    locked_by: null,
    locked_until: null,
    created_at: now,
    updated_at: now,
    delivered_at: null,
  };
}

/** The durable outbox of webhook deliveries (`webhook_deliveries`). */
export class DeliveryOutbox {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /** Queues rows; a (webhook, event) pair already queued is left as it is. */
  async enqueue(rows: Insertable<WebhookDeliveriesTable>[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db
      .insertInto('webhook_deliveries')
      .values(rows)
      .onConflict((oc) => oc.columns(['webhook_id', 'event_id']).doNothing())
      .execute();
  }

  /**
   * Atomically takes up to `limit` due pending rows, oldest due first, and marks them
   * delivering for `leaseMs` (next_attempt_at moves to the lease's end). The due ids are picked
   * once, in a MATERIALIZED CTE: PostgreSQL may otherwise re-run a `LIMIT … SKIP LOCKED`
   * subquery per row and claim far more than `limit`. On PostgreSQL SKIP LOCKED lets
   * concurrent claimers pass each other; SQLite runs the statement under its write lock.
   * Either way no row is handed to two claimers at once.
   */
  async claim({ owner, now, leaseMs, limit }: ClaimRequest): Promise<DeliveryRow[]> {
    const until = now + leaseMs;
    return this.db
      .with(
        (cte) => cte('due').materialized(),
        (db) => {
          const due = db
            .selectFrom('webhook_deliveries')
            .select('id')
            .where('status', '=', 'pending')
            .where('next_attempt_at', '<=', now)
            .orderBy('next_attempt_at')
            .limit(limit);
          return this.dialect === 'postgres' ? due.forUpdate().skipLocked() : due;
        },
      )
      .updateTable('webhook_deliveries')
      .set((eb) => ({
        status: 'delivering',
        locked_by: owner,
        locked_until: until,
        next_attempt_at: until,
        attempts: eb('attempts', '+', 1),
        updated_at: now,
      }))
      // By primary key only: the rows are already chosen (and, on PostgreSQL, locked). A
      // repeated status filter here makes SQLite scan every pending row instead.
      .where('id', 'in', (eb) => eb.selectFrom('due').select('due.id'))
      .returningAll()
      .execute();
  }

  /**
   * Makes rows whose claim expired (their holder crashed or hung) pending again, due now.
   * The interrupted attempt stays counted. Returns how many.
   */
  async reapExpired(now: number): Promise<number> {
    const res = await this.db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', locked_by: null, locked_until: null, updated_at: now })
      .where('status', '=', 'delivering')
      .where('next_attempt_at', '<=', now)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  /** Records the end of an attempt, only if `owner` still holds the claim. */
  async settle(id: string, owner: string, now: number, patch: Updateable<WebhookDeliveriesTable>): Promise<boolean> {
    const res = await this.db
      .updateTable('webhook_deliveries')
      .set({ ...patch, locked_by: null, locked_until: null, updated_at: now })
      .where('id', '=', id)
      .where('locked_by', '=', owner)
      .where('status', '=', 'delivering')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** Gives back every claim of `owner` as due now; the interrupted attempt does not count. */
  async releaseAll(owner: string, now: number): Promise<number> {
    const res = await this.db
      .updateTable('webhook_deliveries')
      .set((eb) => ({
        status: 'pending',
        locked_by: null,
        locked_until: null,
        next_attempt_at: now,
        attempts: eb('attempts', '-', 1),
        updated_at: now,
      }))
      .where('locked_by', '=', owner)
      .where('status', '=', 'delivering')
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  /**
   * Deletes at most `limit` deliveries that finished (delivered or failed) before `before`; returns
   * how many. Pending and in-flight rows are never touched.
   */
  async pruneFinished(before: number, limit: number): Promise<number> {
    const old = this.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('status', 'in', ['delivered', 'failed'])
      .where('updated_at', '<', before)
      .limit(limit);
    const res = await this.db.deleteFrom('webhook_deliveries').where('id', 'in', old).executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  async remove(id: string): Promise<void> {
    await this.db.deleteFrom('webhook_deliveries').where('id', '=', id).execute();
  }

  async get(webhookId: string, id: string): Promise<DeliveryRow | undefined> {
    return this.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).where('webhook_id', '=', webhookId).executeTakeFirst();
  }

  /** A webhook's deliveries, newest first. */
  async list(webhookId: string, req: ListRequest): Promise<DeliveryRow[]> {
    let q = this.db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId);
    if (req.status) q = q.where('status', '=', req.status);
    if (req.cursor) q = q.where('id', '<', req.cursor);
    return q.orderBy('id', 'desc').limit(req.limit).execute();
  }

  /**
   * Queues a delivery again, due now, with a fresh retry schedule and the same event id.
   * Undefined when the row is being delivered right now (or does not exist).
   */
  async requeue(webhookId: string, id: string, now: number): Promise<DeliveryRow | undefined> {
    return this.db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', attempts: 0, next_attempt_at: now, delivered_at: null, updated_at: now })
      .where('id', '=', id)
      .where('webhook_id', '=', webhookId)
      .where('status', '!=', 'delivering')
      .returningAll()
      .executeTakeFirst();
  }
}
