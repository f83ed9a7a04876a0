import { describe, expect, it } from 'vitest';
import { useSimulator } from '../testing/sim-fixture.js';

const VALID_QR = `https://wa.me/settings/linked_devices#2@unknownref,${Buffer.alloc(32, 1).toString('base64')},${Buffer.alloc(32, 2).toString('base64')},${Buffer.alloc(32, 3).toString('base64')},1`;

describe('admin API input handling', () => {
  const fixture = useSimulator('all');

  it('serves the root key and stats', async () => {
    const key = await fixture.admin.ok('GET', '/admin/root-key');
    expect(Buffer.from(key.publicKey, 'hex').equals(fixture.sim.rootPublicKey)).toBe(true);
    expect(await fixture.admin.stats()).toEqual({ connections: 0, handshakes: 0, conflicts: 0, messages: 0, unhandledIqs: 0, unhandledIqKinds: [], preKeyUploads: 0, retryReceipts: 0 });
  });

  const cases: [string, 'GET' | 'POST', string, unknown, number, string][] = [
    ['bad JSON', 'POST', '/admin/scan', '{"qr": ', 400, 'bad_json'],
    ['a JSON array body', 'POST', '/admin/scan', '[1]', 400, 'invalid_body'],
    ['scan without qr', 'POST', '/admin/scan', {}, 400, 'missing_field'],
    ['scan with a non-string qr', 'POST', '/admin/scan', { qr: 5 }, 400, 'invalid_field'],
    ['scan with a malformed qr', 'POST', '/admin/scan', { qr: 'not-a-qr' }, 400, 'invalid_qr'],
    ['scan with a non-digit phone', 'POST', '/admin/scan', { qr: VALID_QR, phone: '+1555abc' }, 400, 'invalid_field'],
    ['scan of an unknown ref', 'POST', '/admin/scan', { qr: VALID_QR }, 404, 'qr_not_found'],
    ['pairing code without phone', 'POST', '/admin/pairing-code', { code: 'ABCDEFGH' }, 400, 'missing_field'],
    ['pairing code of the wrong length', 'POST', '/admin/pairing-code', { phone: '15550001111', code: 'ABC' }, 400, 'invalid_code'],
    ['pairing code nobody asked for', 'POST', '/admin/pairing-code', { phone: '15550001111', code: 'ABCD-EFGH' }, 404, 'no_pairing_request'],
    ['contact send to a non-account', 'POST', '/admin/contacts/15550009999/send', { to: '15550001111', text: 'hi' }, 404, 'account_not_found'],
    ['contact send without text', 'POST', '/admin/contacts/15550009999/send', { to: '15550001111' }, 400, 'missing_field'],
    ['contact send with a non-digit phone', 'POST', '/admin/contacts/abc/send', { to: '15550001111', text: 'hi' }, 400, 'invalid_phone'],
    ['contact read without ids', 'POST', '/admin/contacts/15550009999/read', { messageIds: 'x' }, 400, 'invalid_field'],
    ['inbox of a non-digit phone', 'GET', '/admin/contacts/12ab/inbox', undefined, 400, 'invalid_phone'],
    ['logout of an unknown account', 'POST', '/admin/accounts/15550001111/logout', undefined, 404, 'account_not_found'],
    ['drop of a non-digit phone', 'POST', '/admin/accounts/x1/drop', undefined, 400, 'invalid_phone'],
    ['an unknown path', 'GET', '/admin/nothing', undefined, 404, 'not_found'],
    ['a wrong method', 'GET', '/admin/scan', undefined, 405, 'method_not_allowed'],
  ];

  it.each(cases)('answers %s with a 4xx error', async (_name, method, path, body, status, code) => {
    const reply = await fixture.admin.request(method, path, body);
    expect(reply.status).toBe(status);
    expect(reply.body.error.code).toBe(code);
    expect(typeof reply.body.error.message).toBe('string');
  });

  it('accepts a phone number given as a JSON number', async () => {
    const reply = await fixture.admin.request('POST', '/admin/pairing-code', { phone: 15550001111, code: 'ABCD-EFGH' });
    expect(reply.body.error.code).toBe('no_pairing_request');
  });

  it('answers a body over 1 MB with 413', async () => {
    const reply = await fixture.admin.request('POST', '/admin/scan', { qr: 'x'.repeat(1024 * 1024 + 10) });
    expect(reply.status).toBe(413);
    expect(reply.body.error.code).toBe('payload_too_large');
  });

  it('lists no accounts yet and answers an empty inbox for an unknown contact', async () => {
    expect(await fixture.admin.ok('GET', '/admin/accounts')).toEqual({ accounts: [] });
    expect(await fixture.admin.contactInbox('15550007777')).toEqual({ messages: [] });
  });
});
