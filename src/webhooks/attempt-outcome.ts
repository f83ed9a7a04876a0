import type { Updateable } from 'kysely';
import type { WebhookDeliveriesTable } from '../db/index.js';
import type { SendResult } from './http-sender.js';
import { retryDelay } from './retry-schedule.js';

/** What one attempt means for its delivery. */
export type AttemptOutcome =
  | { kind: 'delivered'; statusCode: number }
  /** 410 Gone: the receiver asks us to stop; the webhook is disabled. */
  | { kind: 'gone'; statusCode: number; error: string }
  | { kind: 'retry'; statusCode: number | null; error: string; nextAttemptAt: number }
  | { kind: 'failed'; statusCode: number | null; error: string };

export interface RetryPolicy {
  schedule: readonly number[];
  jitter: number;
  random?: () => number;
}

/** Judges the `attempts`-th attempt (1-based) of a delivery, made at `now`. */
export function judgeAttempt(result: SendResult, attempts: number, now: number, policy: RetryPolicy): AttemptOutcome {
  const statusCode = 'status' in result ? result.status : null;
  if (statusCode !== null && statusCode >= 200 && statusCode < 300) return { kind: 'delivered', statusCode };
  if (statusCode === 410) return { kind: 'gone', statusCode, error: 'the endpoint answered 410 Gone; the webhook was disabled' };
  const error = 'error' in result ? result.error : describeStatus(result.status, result.body);
  const delay = retryDelay(attempts, policy.schedule, policy.jitter, policy.random);
  if (delay === null) return { kind: 'failed', statusCode, error: `${error} (gave up after ${attempts} attempts)` };
  return { kind: 'retry', statusCode, error, nextAttemptAt: now + delay };
}

function describeStatus(status: number, body: string): string {
  const text = body.replace(/\s+/g, ' ').trim();
  if (status >= 300 && status < 400) return `HTTP ${status}: redirects are not followed; point the webhook at the final URL`;
  return text ? `HTTP ${status}: ${text}` : `HTTP ${status}`;
}

/** The outbox columns an outcome sets (the claim itself is cleared by the outbox). */
export function outcomePatch(outcome: AttemptOutcome, now: number): Updateable<WebhookDeliveriesTable> {
  switch (outcome.kind) {
    case 'delivered':
      return { status: 'delivered', last_status_code: outcome.statusCode, last_error: null, next_attempt_at: null, delivered_at: now };
    case 'retry':
      return { status: 'pending', last_status_code: outcome.statusCode, last_error: outcome.error, next_attempt_at: outcome.nextAttemptAt };
    case 'gone':
    case 'failed':
      return { status: 'failed', last_status_code: outcome.statusCode, last_error: outcome.error, next_attempt_at: null };
  }
}
