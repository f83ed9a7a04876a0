import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, type Resolver } from './url-guard.js';

const dnsTable: Record<string, string[]> = {
  'public.example': ['93.184.216.34'],
  'sneaky.example': ['93.184.216.34', '10.0.0.5'],
  'metadata.example': ['169.254.169.254'],
  'v6loop.example': ['::1'],
};
const resolve: Resolver = async (host) => {
  const found = dnsTable[host];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};
const check = (url: string, allowPrivateUrls = false) =>
  checkWebhookUrl(url, { allowPrivateUrls, resolve }).then(
    () => 'ok',
    (e: { code: string; message: string }) => `${e.code}: ${e.message}`,
  );

describe('checkWebhookUrl', () => {
  it.each([
    ['http://127.0.0.1/hook', 'private_url_refused', /127\.0\.0\.1 is a loopback address.*KIRIM_ALLOW_PRIVATE_URLS=1/],
    ['http://localhost:3000/hook', 'private_url_refused', /localhost is a loopback/],
    ['http://api.localhost/hook', 'private_url_refused', /loopback/],
    ['http://[::1]/', 'private_url_refused', /::1 is a loopback/],
    ['http://10.1.2.3/', 'private_url_refused', /private \(RFC 1918\)/],
    ['http://169.254.169.254/latest', 'private_url_refused', /link-local/],
    ['http://[::ffff:127.0.0.1]/', 'private_url_refused', /loopback, as IPv4-mapped/],
    ['http://0.0.0.0/', 'private_url_refused', /this network/],
    ['http://0x7f.1/', 'private_url_refused', /loopback/],
    ['http://2130706433/', 'private_url_refused', /loopback/],
    ['http://100.64.1.1/', 'private_url_refused', /carrier-grade/],
    ['http://[fd00::1]/', 'private_url_refused', /unique-local/],
    ['http://[fe80::1]/', 'private_url_refused', /link-local/],
    ['http://224.0.0.1/', 'private_url_refused', /multicast/],
    ['http://metadata.example/', 'private_url_refused', /metadata\.example resolves to 169\.254\.169\.254, which is a link-local/],
    ['http://sneaky.example/', 'private_url_refused', /resolves to 10\.0\.0\.5/],
    ['http://v6loop.example/', 'private_url_refused', /resolves to ::1/],
    ['ftp://x/', 'validation_failed', /scheme must be http or https \(got 'ftp'\)/],
    ['file:///etc/passwd', 'validation_failed', /scheme/],
    ['javascript:alert(1)', 'validation_failed', /scheme/],
    ['http://user:pw@example.com/', 'validation_failed', /user name or password/],
    ['http://user@example.com/', 'validation_failed', /user name or password/],
    ['not a url', 'validation_failed', /absolute http/],
    [`https://example.com/${'a'.repeat(2048)}`, 'validation_failed', /at most 2048/],
  ])('refuses %s', async (url, code, message) => {
    const answer = await check(url);
    expect(answer.startsWith(`${code}: url: `)).toBe(true);
    expect(answer).toMatch(message);
  });

  it.each(['https://public.example/hook', 'http://93.184.216.34:8080/x', 'https://[2606:4700:4700::1111]/', 'https://does-not-resolve.example/'])('accepts %s', async (url) => {
    expect(await check(url)).toBe('ok');
  });

  it('accepts loopback and private hosts when private URLs are allowed, but never other schemes or credentials', async () => {
    for (const url of ['http://127.0.0.1:8080/', 'http://localhost/', 'http://[::1]/', 'http://10.0.0.1/', 'http://metadata.example/']) {
      expect(await check(url, true)).toBe('ok');
    }
    expect(await check('ftp://127.0.0.1/', true)).toMatch(/^validation_failed/);
    expect(await check('http://a:b@127.0.0.1/', true)).toMatch(/^validation_failed/);
  });
});
