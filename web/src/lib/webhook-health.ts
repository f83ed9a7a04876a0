import type { Delivery } from '../api/types';

export interface WebhookHealth {
  /** none: nothing attempted yet; ok: the newest attempted delivery got a 2xx; failing: it did not. */
  state: 'none' | 'ok' | 'failing';
  /** Deliveries among those looked at that failed for good or whose last attempt failed. */
  failing: number;
  /** How many deliveries were looked at (the newest page). */
  of: number;
  /** The newest delivery that was attempted. */
  last: Delivery | null;
}

const attempted = (d: Delivery) => d.status === 'delivered' || d.status === 'failed' || d.attempts > 0;
const isFailing = (d: Delivery) => d.status === 'failed' || (d.status !== 'delivered' && d.attempts > 0);

/** A webhook's health from its newest deliveries (GET /v1/webhooks/{id}/deliveries, newest first). */
export function webhookHealth(newestFirst: Delivery[]): WebhookHealth {
  const last = newestFirst.find(attempted) ?? null;
  return {
    state: !last ? 'none' : last.status === 'delivered' ? 'ok' : 'failing',
    failing: newestFirst.filter(isFailing).length,
    of: newestFirst.length,
    last,
  };
}

/** Why a delivery failed, in a few words: 'HTTP 500', or the error ('connection refused'). */
export function failureReason(d: Delivery): string {
  if (d.lastStatusCode != null) return `HTTP ${d.lastStatusCode}`;
  return d.lastError ?? 'no answer';
}
