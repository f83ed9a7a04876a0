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
    [{ KIRIM_QR_TIMEOUT_MS: 'soon' }, 'KIRIM_QR_TIMEOUT_MS'],
    [{ KIRIM_QR_TIMEOUT_MS: '500' }, 'KIRIM_QR_TIMEOUT_MS'],
    [{ KIRIM_QR_TIMEOUT_MS: '1500.5' }, 'KIRIM_QR_TIMEOUT_MS'],
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

  it('leaves the QR lifetime to Baileys unless KIRIM_QR_TIMEOUT_MS sets it', () => {
    expect(loadConfig({}).qrTimeoutMs).toBeUndefined();
    expect(loadConfig({ KIRIM_QR_TIMEOUT_MS: '5000' }).qrTimeoutMs).toBe(5000);
  });

  it('paces restores: KIRIM_RESTORE_CONCURRENCY 16 and KIRIM_RESTORE_RATE 200/s by default, whole numbers above 0', () => {
    expect(loadConfig({})).toMatchObject({ restoreConcurrency: 16, restoreRate: 200 });
    expect(loadConfig({ KIRIM_RESTORE_CONCURRENCY: '', KIRIM_RESTORE_RATE: '' })).toMatchObject({ restoreConcurrency: 16, restoreRate: 200 });
    expect(loadConfig({ KIRIM_RESTORE_CONCURRENCY: '4', KIRIM_RESTORE_RATE: '1' })).toMatchObject({ restoreConcurrency: 4, restoreRate: 1 });
    for (const name of ['KIRIM_RESTORE_CONCURRENCY', 'KIRIM_RESTORE_RATE']) {
      for (const [value, reason] of [
        ['0', 'must be greater than 0'],
        ['-3', 'must be greater than 0'],
        ['2.5', 'must be a whole number'],
        ['fast', 'must be a number'],
      ]) {
        expect(() => loadConfig({ [name]: value }), `${name}=${value}`).toThrow(ConfigError);
        expect(() => loadConfig({ [name]: value }), `${name}=${value}`).toThrow(`invalid ${name}: ${reason} (got "${value}")`);
      }
    }
  });

  it('cluster placement: KIRIM_NODE_LABELS as key=value pairs, KIRIM_REGION, KIRIM_NODE_CAPACITY (default 5000)', () => {
    expect(loadConfig({})).toMatchObject({ nodeLabels: {}, region: undefined, nodeCapacity: 5000 });
    expect(loadConfig({ KIRIM_NODE_LABELS: 'egress=proxy-a,tier=gold', KIRIM_REGION: 'eu-west-1', KIRIM_NODE_CAPACITY: '250' })).toMatchObject({
      nodeLabels: { egress: 'proxy-a', tier: 'gold' },
      region: 'eu-west-1',
      nodeCapacity: 250,
    });
    expect(loadConfig({ KIRIM_NODE_LABELS: 'proxy=http://10.0.0.7:3128,empty=' }).nodeLabels).toEqual({ proxy: 'http://10.0.0.7:3128', empty: '' });
    const bad: Array<[string, string, string]> = [
      ['KIRIM_NODE_LABELS', 'egress', 'must be key=value pairs separated by commas'],
      ['KIRIM_NODE_LABELS', 'egress=a,,tier=b', 'must be key=value pairs separated by commas'],
      ['KIRIM_NODE_LABELS', 'egress=a b', 'must be key=value pairs separated by commas'],
      ['KIRIM_NODE_LABELS', 'k=a=b', 'must be key=value pairs separated by commas'],
      ['KIRIM_NODE_LABELS', '=a', 'must be key=value pairs separated by commas'],
      ['KIRIM_REGION', 'r'.repeat(65), '64 characters'],
      ['KIRIM_NODE_CAPACITY', '0', 'must be greater than 0'],
      ['KIRIM_NODE_CAPACITY', '-5', 'must be greater than 0'],
      ['KIRIM_NODE_CAPACITY', '1.5', 'must be a whole number'],
      ['KIRIM_NODE_CAPACITY', 'lots', 'must be a number'],
    ];
    for (const [name, value, reason] of bad) {
      let error: unknown;
      try {
        loadConfig({ [name]: value });
      } catch (e) {
        error = e;
      }
      expect(error, `${name}=${value}`).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message.startsWith(`invalid ${name}: `), message).toBe(true);
      expect(message).toContain(reason);
      expect(message.endsWith(`(got "${value}")`), message).toBe(true);
    }
  });

  it('accepts a 32-byte state key as hex or base64', () => {
    expect(loadConfig({ KIRIM_STATE_KEY: 'ab'.repeat(32) }).stateKey).toBe('ab'.repeat(32));
    expect(loadConfig({ KIRIM_STATE_KEY: Buffer.alloc(32, 7).toString('base64') }).stateKey).toBeDefined();
  });
});
