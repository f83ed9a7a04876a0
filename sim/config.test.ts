import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSimConfig, SimConfigError } from './config.js';

describe('simulator configuration (npm run sim)', () => {
  it('defaults to 127.0.0.1:7070, ./data and info, also for empty values', () => {
    const defaults = { host: '127.0.0.1', port: 7070, dataDir: resolve('./data'), logLevel: 'info' };
    expect(loadSimConfig({})).toEqual(defaults);
    expect(loadSimConfig({ HOST: '', PORT: '', KIRIM_DATA_DIR: '', LOG_LEVEL: '' })).toEqual(defaults);
  });

  it('reads HOST, PORT, KIRIM_DATA_DIR and LOG_LEVEL', () => {
    expect(loadSimConfig({ HOST: '0.0.0.0', PORT: '0', KIRIM_DATA_DIR: 'some/dir', LOG_LEVEL: 'silent' })).toEqual({
      host: '0.0.0.0',
      port: 0,
      dataDir: resolve('some/dir'),
      logLevel: 'silent',
    });
    expect(loadSimConfig({ PORT: '65535' }).port).toBe(65535);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT must be a port number (0-65535), got "abc"'],
    [{ PORT: '65536' }, 'PORT must be a port number (0-65535), got "65536"'],
    [{ PORT: '-1' }, 'PORT must be a port number (0-65535), got "-1"'],
    [{ PORT: '80.5' }, 'PORT must be a port number (0-65535), got "80.5"'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "loud"'],
  ])('refuses %o with a message naming the variable', (env, message) => {
    let error: unknown;
    try {
      loadSimConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SimConfigError);
    expect((error as Error).message).toBe(message);
  });
});
