import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { newWebhookSecret, signPayload, webhookHeaders } from './signature.js';

describe('Standard Webhooks signature', () => {
  it('matches the reference library for the same id, time and body', () => {
    const secret = newWebhookSecret();
    const body = JSON.stringify({ id: 'evt_1', text: 'héllo ✓' });
    const at = new Date('2025-01-02T03:04:05Z');
    expect(signPayload(secret, 'evt_1', at.getTime() / 1000, body)).toBe(new Webhook(secret).sign('evt_1', at, body));
  });

  it('produces headers a receiver verifies, and a changed body fails', () => {
    const secret = newWebhookSecret();
    const body = '{"id":"evt_2"}';
    const headers = webhookHeaders(secret, 'evt_2', Date.now(), body);
    expect(new Webhook(secret).verify(body, headers)).toEqual({ id: 'evt_2' });
    expect(() => new Webhook(secret).verify('{"id":"evt_3"}', headers)).toThrow(/signature/i);
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow(/signature/i);
  });
});
