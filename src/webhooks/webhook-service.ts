import type { Updateable } from 'kysely';
import type { Clock } from '../core/clock.js';
import { AppError, notFound } from '../core/errors.js';
import type { SessionEventType as EventType } from '../core/events.js';
import { newId } from '../core/ids.js';
import type { WebhooksTable } from '../db/index.js';
import { type DeliveryOutbox, newDeliveryRow } from './delivery-outbox.js';
import { testPayload } from './event-payload.js';
import { newWebhookSecret } from './signature.js';
import type { WebhookCache } from './webhook-cache.js';
import type { WebhookRepo } from './webhook-repo.js';
import {
  type CreatedWebhook,
  type DeliveryView,
  type WebhookDeliveryStatus,
  type WebhookRow,
  type WebhookView,
  toDeliveryView,
  toWebhookView,
} from './webhook-views.js';

export interface CreateWebhookInput {
  url: string;
  /** Omitted or null: every event type. */
  events?: EventType[] | null;
  description?: string | null;
}

export interface UpdateWebhookInput {
  url?: string;
  events?: EventType[] | null;
  description?: string | null;
  enabled?: boolean;
}

export interface ListDeliveriesInput {
  status?: WebhookDeliveryStatus;
  limit?: number;
  cursor?: string;
}

export interface WebhookServiceDeps {
  repo: WebhookRepo;
  outbox: DeliveryOutbox;
  cache: Pick<WebhookCache, 'reload'>;
  clock: Clock;
  /** Refuses URLs that are malformed or (unless allowed) not public; see url-guard.ts. */
  checkUrl(url: string): Promise<unknown>;
  /** Tells the dispatcher that rows are due now. */
  wake(): void;
}

const MAX_PAGE = 100;
const DEFAULT_PAGE = 20;

const eventsColumn = (events: EventType[] | null | undefined) => (events ? JSON.stringify([...new Set(events)]) : null);

/** Webhook endpoints of a workspace and their deliveries: what the API calls. */
export class WebhookService {
  constructor(private readonly deps: WebhookServiceDeps) {}

  async create(workspaceId: string, input: CreateWebhookInput): Promise<CreatedWebhook> {
    await this.deps.checkUrl(input.url);
    const now = this.deps.clock.now();
    const row: WebhookRow = {
      id: newId('whk', now),
      workspace_id: workspaceId,
      url: input.url,
      events: eventsColumn(input.events),
      secret: newWebhookSecret(),
      description: input.description ?? null,
      enabled: 1,
      disabled_reason: null,
      created_at: now,
      updated_at: now,
    };
    await this.deps.repo.insert(row);
    await this.deps.cache.reload();
    return { ...toWebhookView(row), secret: row.secret };
  }

  async list(workspaceId: string): Promise<WebhookView[]> {
    return (await this.deps.repo.list(workspaceId)).map(toWebhookView);
  }

  async get(workspaceId: string, id: string): Promise<WebhookView> {
    return toWebhookView(await this.row(workspaceId, id));
  }

  async update(workspaceId: string, id: string, input: UpdateWebhookInput): Promise<WebhookView> {
    await this.row(workspaceId, id);
    if (input.url !== undefined) await this.deps.checkUrl(input.url);
    const now = this.deps.clock.now();
    const patch: Updateable<WebhooksTable> = { updated_at: now };
    if (input.url !== undefined) patch.url = input.url;
    if (input.events !== undefined) patch.events = eventsColumn(input.events);
    if (input.description !== undefined) patch.description = input.description;
    if (input.enabled !== undefined) {
      patch.enabled = input.enabled ? 1 : 0;
      patch.disabled_reason = input.enabled ? null : 'disabled through the API';
    }
    if (!(await this.deps.repo.update(workspaceId, id, patch, now))) throw this.missing(id);
    await this.deps.cache.reload();
    if (input.enabled) this.deps.wake();
    return this.get(workspaceId, id);
  }

  async delete(workspaceId: string, id: string): Promise<void> {
    if (!(await this.deps.repo.delete(workspaceId, id))) throw this.missing(id);
    await this.deps.cache.reload();
  }

  /** Newest first; `nextCursor` fetches the following page. */
  async listDeliveries(workspaceId: string, id: string, input: ListDeliveriesInput = {}): Promise<{ deliveries: DeliveryView[]; nextCursor: string | null }> {
    await this.row(workspaceId, id);
    const limit = Math.min(Math.max(input.limit ?? DEFAULT_PAGE, 1), MAX_PAGE);
    const rows = await this.deps.outbox.list(id, { status: input.status, cursor: input.cursor, limit: limit + 1 });
    const page = rows.slice(0, limit);
    return { deliveries: page.map(toDeliveryView), nextCursor: rows.length > limit ? page[page.length - 1].id : null };
  }

  /** Queues a delivery again now, with the same `webhook-id` and a fresh retry schedule. */
  async redeliver(workspaceId: string, id: string, deliveryId: string): Promise<DeliveryView> {
    await this.enabledRow(workspaceId, id);
    const existing = await this.deps.outbox.get(id, deliveryId);
    if (!existing) throw notFound('delivery', deliveryId, 'delivery_not_found');
    const row = await this.deps.outbox.requeue(id, deliveryId, this.deps.clock.now());
    if (!row) throw new AppError('conflict', `delivery '${deliveryId}' is being attempted right now; try again when it has finished`);
    this.deps.wake();
    return toDeliveryView(row);
  }

  /** Queues a signed `webhook.test` ping to the endpoint. */
  async test(workspaceId: string, id: string): Promise<DeliveryView> {
    await this.enabledRow(workspaceId, id);
    const now = this.deps.clock.now();
    const row = newDeliveryRow({ id, workspaceId }, testPayload(newId('evt', now), workspaceId, id, now), now);
    await this.deps.outbox.enqueue([row]);
    this.deps.wake();
    return toDeliveryView(row);
  }

  private async row(workspaceId: string, id: string): Promise<WebhookRow> {
    const row = await this.deps.repo.get(workspaceId, id);
    if (!row) throw this.missing(id);
    return row;
  }

  private async enabledRow(workspaceId: string, id: string): Promise<WebhookRow> {
    const row = await this.row(workspaceId, id);
    if (Number(row.enabled) !== 1) {
      throw new AppError('conflict', `webhook '${id}' is disabled (${row.disabled_reason ?? 'no reason recorded'}); enable it with PATCH {"enabled": true} first`);
    }
    return row;
  }

  private missing(id: string): AppError {
    return notFound('webhook', id, 'webhook_not_found');
  }
}
