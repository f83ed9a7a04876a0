import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config/index.js';
import { connectDatabase, migrate, type Db } from './db/index.js';
import { resolveApiKey } from './api-key.js';
import { startGatewayProcess, type GatewayProcess } from '../test/support/gateway-process.js';
import { createTestPg, type TestPg } from '../test/support/pg.js';
import { tempDir } from '../test/support/temp-dir.js';

/** `kirim_` + 32 random bytes as base64url: 256 bits. */
const GENERATED_KEY = /^kirim_[A-Za-z0-9_-]{43}$/;

describe('the API key generated on first start (the real gateway process, KIRIM_API_KEY unset)', () => {
  let dir: ReturnType<typeof tempDir>;
  let gw: GatewayProcess | undefined;
  beforeAll(() => {
    dir = tempDir('kirim-key-');
  });
  afterAll(async () => {
    await gw?.stop('SIGKILL');
    dir?.cleanup();
  });

  const status = async (url: string, headers: Record<string, string>) => (await fetch(`${url}/v1/sessions`, { headers })).status;

  it('is strong, saved in the data dir (0600), printed once, works for /v1, and is neither regenerated nor printed on the next start', async () => {
    gw = await startGatewayProcess({ KIRIM_DATA_DIR: dir.dir });
    const printed = gw.logs.map((l) => l.trim()).filter((l) => GENERATED_KEY.test(l));
    expect(printed).toHaveLength(1);
    const key = printed[0];
    expect(gw.logs.filter((l) => l.includes('generated an API key'))).toHaveLength(1);
    expect(gw.logs.filter((l) => l.includes(key))).toHaveLength(1); // not in any log line besides the notice

    const file = path.join(dir.dir, 'api-key');
    expect(fs.readFileSync(file, 'utf8')).toBe(`${key}\n`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const saved = fs.statSync(file).mtimeMs;

    expect(await status(gw.url, { authorization: `Bearer ${key}` })).toBe(200);
    expect(await status(gw.url, { 'x-api-key': key })).toBe(200);
    expect(await status(gw.url, { authorization: `Bearer ${key.slice(0, -1)}x` })).toBe(401);
    expect(await status(gw.url, {})).toBe(401);
    expect(await gw.stop('SIGTERM')).toBe(0);

    gw = await startGatewayProcess({ KIRIM_DATA_DIR: dir.dir });
    expect(gw.logs.filter((l) => l.includes('generated an API key') || l.includes(key))).toEqual([]);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${key}\n`);
    expect(fs.statSync(file).mtimeMs).toBe(saved);
    expect(await status(gw.url, { authorization: `Bearer ${key}` })).toBe(200);
    expect(await gw.stop('SIGTERM')).toBe(0);
    gw = undefined;
  });
});

describe('resolveApiKey', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
    dir?.cleanup();
  });

  it('uses KIRIM_API_KEY when set: nothing generated, written or shown', async () => {
    dir = tempDir('kirim-key-');
    db = connectDatabase({ sqlitePath: ':memory:' });
    await migrate(db);
    const shown: string[] = [];
    const auth = await resolveApiKey(loadConfig({ KIRIM_DATA_DIR: dir.dir, KIRIM_API_KEY: 'configured-key-0123456789' }), db, (k) => shown.push(k));
    expect(auth.key).toBe('configured-key-0123456789');
    expect(auth.resolver.resolve('configured-key-0123456789')).toEqual({ workspaceId: 'default', role: 'admin' });
    expect(auth.resolver.resolve('configured-key-012345678')).toBeNull();
    expect(shown).toEqual([]);
    expect(fs.readdirSync(dir.dir)).toEqual([]);
  });

  describe('cluster mode (PostgreSQL): one key for every node, kept only as a hash', () => {
    let pg: TestPg;
    beforeAll(async () => {
      pg = await createTestPg();
    });
    afterAll(async () => {
      await pg?.drop();
    });

    it('is generated and shown by exactly one of several nodes starting at once; the others and later starts accept it', async () => {
      dir = tempDir('kirim-key-');
      db = connectDatabase({ url: pg.url });
      await migrate(db);
      const config = loadConfig({ KIRIM_DATA_DIR: dir.dir, DATABASE_URL: pg.url });
      const shown: string[] = [];
      const nodes = await Promise.all([1, 2, 3].map(() => resolveApiKey(config, db!, (k) => shown.push(k))));
      expect(shown).toHaveLength(1);
      const key = shown[0];
      expect(key).toMatch(GENERATED_KEY);
      expect(nodes.filter((n) => n.key !== undefined).map((n) => n.key)).toEqual([key]);
      for (const node of nodes) expect(node.resolver.resolve(key)).toEqual({ workspaceId: 'default', role: 'admin' });

      const stored = await db.db.selectFrom('kirim_meta').select('value').where('key', '=', 'api_key_sha256').execute();
      expect(stored).toEqual([{ value: createHash('sha256').update(key).digest('hex') }]);
      expect(fs.readdirSync(dir.dir)).toEqual([]); // not on any node's disk

      const restarted = await resolveApiKey(config, db, (k) => shown.push(k));
      expect(shown).toHaveLength(1);
      expect(restarted.key).toBeUndefined();
      expect(restarted.resolver.resolve(key)).not.toBeNull();
    });
  });
});
