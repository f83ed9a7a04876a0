import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.js';

describe('config', () => {
  it('has the contract defaults', () => {
    const c = loadConfig({});
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(3000);
    expect(c.dataDir.endsWith('/data')).toBe(true);
    expect(c.stateStore).toEqual({ kind: 'fs' });
    expect(c.sandbox).toBe(false);
    expect(c.sandboxPort).toBe(7070);
    expect(c.allowPrivateUrls).toBe(false);
    expect(c.webhookRetentionDays).toBe(7);
    expect(loadConfig({ KIRIM_WEBHOOK_RETENTION_DAYS: '0.5' }).webhookRetentionDays).toBe(0.5);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('parses an s3 state store with its settings', () => {
    const c = loadConfig({ KIRIM_STATE_STORE: 's3://kirim-state/prod/eu/', S3_ENDPOINT: 'http://127.0.0.1:9000', S3_FORCE_PATH_STYLE: '1' });
    expect(c.stateStore).toMatchObject({ kind: 's3', bucket: 'kirim-state', prefix: 'prod/eu', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true });
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ KIRIM_STATE_STORE: 'ftp://x' }, 'KIRIM_STATE_STORE'],
    [{ KIRIM_STATE_KEY: 'short' }, 'KIRIM_STATE_KEY'],
    [{ KIRIM_SANDBOX: 'maybe' }, 'KIRIM_SANDBOX'],
    [{ KIRIM_API_KEY: 'tiny' }, 'KIRIM_API_KEY'],
    [{ KIRIM_SANDBOX_URL: 'not a url' }, 'KIRIM_SANDBOX_URL'],
    [{ REDIS_URL: 'redis://127.0.0.1:6379' }, 'REDIS_URL'],
    [{ KIRIM_WEBHOOK_RETENTION_DAYS: '-1' }, 'KIRIM_WEBHOOK_RETENTION_DAYS'],
    [{ KIRIM_WEBHOOK_RETENTION_DAYS: 'a week' }, 'KIRIM_WEBHOOK_RETENTION_DAYS'],
  ])('rejects %j with one line naming the variable', (env, name) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(name);
    expect((error as Error).message).not.toContain('\n');
  });

  it('accepts a 32-byte state key as hex or base64', () => {
    expect(loadConfig({ KIRIM_STATE_KEY: 'ab'.repeat(32) }).stateKey).toBe('ab'.repeat(32));
    expect(loadConfig({ KIRIM_STATE_KEY: Buffer.alloc(32, 7).toString('base64') }).stateKey).toBeDefined();
  });
});
