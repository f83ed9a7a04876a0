export { createWebhooks, type Webhooks, type WebhooksOptions } from './create-webhooks.js';
export { WebhookService, type CreateWebhookInput, type UpdateWebhookInput, type ListDeliveriesInput } from './webhook-service.js';
export type { CreatedWebhook, DeliveryView, WebhookView, WebhookDeliveryStatus } from './webhook-views.js';
export type { AttemptReport } from './dispatcher.js';
export type { AttemptOutcome } from './attempt-outcome.js';
export { DEFAULT_RETRY_SCHEDULE } from './retry-schedule.js';
export { MAX_URL_LENGTH, type Resolver, type ResolvedAddress } from './url-guard.js';
export { TEST_EVENT_TYPE, type WebhookPayload } from './event-payload.js';
export { signPayload } from './signature.js';
