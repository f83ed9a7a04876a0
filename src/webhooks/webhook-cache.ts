import type { EventType } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { parseEventFilter, type WebhookRow } from './webhook-views.js';

/** What the hot path needs of an enabled webhook. */
export interface CachedWebhook {
  id: string;
  workspaceId: string;
  url: string;
  secret: string;
  /** null: every event type. */
  events: ReadonlySet<string> | null;
}

export interface EnabledWebhookSource {
  listEnabled(): Promise<WebhookRow[]>;
}

const toCached = (row: WebhookRow): CachedWebhook => {
  const events = parseEventFilter(row.events);
  return { id: row.id, workspaceId: row.workspace_id, url: row.url, secret: row.secret, events: events && new Set(events) };
};

/**
 * The enabled webhooks, in memory, so that publishing an event costs no query. Reloaded after
 * every change made through this process, and every `refreshMs` for changes made by other nodes.
 */
export class WebhookCache {
  private byWorkspace = new Map<string, CachedWebhook[]>();
  private byId = new Map<string, CachedWebhook>();
  private generation = 0;
  private first: Promise<void> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly source: EnabledWebhookSource,
    private readonly logger: Logger,
    private readonly refreshMs: number,
  ) {}

  /** Resolves once the cache has been loaded at least once. */
  ready(): Promise<void> {
    this.first ??= this.reload().catch((err) => {
      this.first = null; // let the next caller try again
      throw err;
    });
    return this.first;
  }

  async reload(): Promise<void> {
    const generation = ++this.generation;
    const rows = await this.source.listEnabled();
    if (generation !== this.generation) return; // a newer reload started after this one
    const byWorkspace = new Map<string, CachedWebhook[]>();
    const byId = new Map<string, CachedWebhook>();
    for (const hook of rows.map(toCached)) {
      byId.set(hook.id, hook);
      const list = byWorkspace.get(hook.workspaceId) ?? [];
      list.push(hook);
      byWorkspace.set(hook.workspaceId, list);
    }
    this.byWorkspace = byWorkspace;
    this.byId = byId;
  }

  /** The enabled webhooks of `workspaceId` that want events of `type`. */
  matching(workspaceId: string, type: EventType | string): CachedWebhook[] {
    return (this.byWorkspace.get(workspaceId) ?? []).filter((h) => h.events === null || h.events.has(type));
  }

  get(id: string): CachedWebhook | undefined {
    return this.byId.get(id);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.reload().catch((err) => this.logger.warn({ err }, 'webhook cache refresh failed; keeping the previous list'));
    }, this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
