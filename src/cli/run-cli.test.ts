import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import { connectDatabase, migrate } from '../db/index.js';
import { createTestPg, type TestPg } from '../../test/support/pg.js';
import { startTestS3, type TestS3 } from '../../test/support/s3-server.js';
import { tempDir } from '../../test/support/temp-dir.js';
import {
  type AuthSnapshot,
  DbStateStore,
  decodeAuthState,
  encodeAuthState,
  FsStateStore,
  fsStateRoot,
  isUnderCurrentKey,
  Keyring,
  keyringSealer,
  S3StateStore,
  spillStateRoot,
  type StateRef,
  type StateStore,
} from '../state-store/index.js';
import { runCli } from './run-cli.js';
import { WebhookRepo } from '../webhooks/index.js';

const hexKey = () => randomBytes(32).toString('hex');

function snapshot(i: number): AuthSnapshot {
  const preKeys = randomBytes(40 * 32);
  return {
    creds: { registrationId: 1000 + i, noiseKey: { private: randomBytes(32), public: randomBytes(32) }, me: { id: `62812000${i}@s.whatsapp.net` } },
    preKeys: { firstId: 1, privateKeys: preKeys },
    keys: new Map([['session', new Map([[`6289${i}.0`, randomBytes(300)]])]]),
  };
}

async function run(argv: string[], env: Record<string, string>, cwd?: string, now?: () => number) {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    env,
    cwd,
    now,
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    logger: silentLogger,
  });
  return { code, out, err };
}

/** A clock that moves one second each time it is read: every copy is a second apart, so each prints progress. */
const secondPerCall = () => {
  let t = 0;
  return () => (t += 1_000);
};
const progressLines = (out: string, label: string) => out.split('\n').filter((l) => new RegExp(`^${label}: \\d+/\\d+$`).test(l));

/** Seeds `n` sessions into `store` under `keyring`; returns each session's plaintext hash. */
async function seed(store: StateStore, keyring: Keyring, refs: StateRef[]): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (const [i, ref] of refs.entries()) {
    const { envelope, hash } = await encodeAuthState(snapshot(i), ref, keyring);
    await store.write(ref, envelope);
    hashes.set(`${ref.workspaceId}/${ref.sessionId}`, hash.toString('hex'));
  }
  return hashes;
}

async function contents(store: StateStore, keyring: Keyring): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const ref of store.list()) {
    const { hash } = await decodeAuthState((await store.read(ref))!, ref, keyring);
    out.set(`${ref.workspaceId}/${ref.sessionId}`, hash.toString('hex'));
  }
  return out;
}

const REFS: StateRef[] = [
  { workspaceId: 'default', sessionId: 'ses_a' },
  { workspaceId: 'default', sessionId: 'ses_b' },
  { workspaceId: 'acme', sessionId: 'ses_c' },
];

describe('kirim CLI', () => {
  let s3: TestS3;
  let pg: TestPg;
  let dirs: (() => void)[] = [];
  const dataDir = () => {
    const t = tempDir('kirim-cli-');
    dirs.push(t.cleanup);
    return t.dir;
  };
  beforeAll(async () => {
    s3 = await startTestS3('kirim-cli');
    pg = await createTestPg();
  });
  afterAll(async () => {
    await s3?.destroy();
    await pg?.drop();
  });
  afterEach(() => {
    dirs.forEach((c) => c());
    dirs = [];
  });

  const s3Env = { S3_ENDPOINT: '', S3_REGION: 'us-east-1', S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER', S3_FORCE_PATH_STYLE: '1' };
  const s3Store = (prefix: string) =>
    new S3StateStore({ bucket: s3.bucket, prefix, endpoint: s3.endpoint, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true });

  it('moves every session fs → db (PostgreSQL) → s3 → fs without losing a byte, verifying and deleting each source', async () => {
    const dir = dataDir();
    const key = hexKey();
    const keyring = new Keyring(Buffer.from(key, 'hex'));
    const env = { KIRIM_DATA_DIR: dir, KIRIM_STATE_KEY: key, DATABASE_URL: pg.url, ...s3Env, S3_ENDPOINT: s3.endpoint };
    const fsStore = new FsStateStore(fsStateRoot(dir));
    const original = await seed(fsStore, keyring, REFS);

    const toDb = await run(['state', 'migrate', '--from', 'fs', '--to', 'db', '--delete-source'], env);
    expect(toDb.err).toBe('');
    expect(toDb.code).toBe(0);
    expect(toDb.out).toContain('migrate: 3/3');
    expect(toDb.out).toContain('3 of 3 copied and verified, 3 source copies deleted, 0 failed');
    expect(await contents(fsStore, keyring)).toEqual(new Map());

    const toS3 = await run(['state', 'migrate', '--from=db', '--to=s3://kirim-cli/moved/state', '--delete-source'], env);
    expect(toS3.code).toBe(0);
    const db = connectDatabase({ url: pg.url, poolSize: 1 });
    try {
      expect(await contents(new DbStateStore(db), keyring)).toEqual(new Map());
    } finally {
      await db.close();
    }
    const s3s = s3Store('moved/state');
    expect(await contents(s3s, keyring)).toEqual(original);

    const back = await run(['state', 'migrate', '--from', 's3://kirim-cli/moved/state', '--to', 'fs', '--delete-source'], env);
    expect(back.code).toBe(0);
    expect(await contents(fsStore, keyring)).toEqual(original);
    expect(await contents(s3s, keyring)).toEqual(new Map());
    await s3s.close();
  });

  it('moves fs → s3 directly (the README example), printing progress as it goes; a broken session is reported, the rest copied', async () => {
    const dir = dataDir();
    const key = hexKey();
    const keyring = new Keyring(Buffer.from(key, 'hex'));
    const fsStore = new FsStateStore(fsStateRoot(dir));
    const refs = [...REFS, { workspaceId: 'acme', sessionId: 'ses_d' }, { workspaceId: 'acme', sessionId: 'ses_e' }];
    const original = await seed(fsStore, keyring, refs);
    await fsStore.write({ workspaceId: 'default', sessionId: 'ses_broken' }, Buffer.from('KSTE garbage'));
    const env = { KIRIM_DATA_DIR: dir, KIRIM_STATE_KEY: key, ...s3Env, S3_ENDPOINT: s3.endpoint };

    const r = await run(['state', 'migrate', '--to', 's3://kirim-cli/direct'], env, undefined, secondPerCall());
    expect(r.code).toBe(1);
    expect(r.out.split('\n')[0]).toBe(`migrate: fs:${fsStateRoot(dir)} → s3://kirim-cli/direct`);
    expect(progressLines(r.out, 'migrate')).toEqual(['1/6', '2/6', '3/6', '4/6', '5/6', '6/6'].map((p) => `migrate: ${p}`));
    expect(r.out).toContain('migrate: 5 of 6 copied and verified, 0 source copies deleted, 1 failed');
    expect(r.err).toMatch(/^migrate: default\/ses_broken failed: .+\n$/);
    const target = s3Store('direct');
    try {
      expect(await contents(target, keyring)).toEqual(original);
    } finally {
      await target.close();
    }
    // the source is untouched, the broken one included
    expect((await fsStore.read({ workspaceId: 'default', sessionId: 'ses_broken' }))?.toString()).toBe('KSTE garbage');

    expect(r.out).not.toContain('spilled');

    // at a steady clock only the first and the last are printed; state spilled at a shutdown is pointed out
    await fsStore.delete({ workspaceId: 'default', sessionId: 'ses_broken' });
    await new FsStateStore(spillStateRoot(dir)).write(REFS[0], Buffer.from('spilled envelope'));
    const quiet = await run(['state', 'migrate', '--to', 's3://kirim-cli/direct2'], env, undefined, () => 0);
    expect(quiet.code).toBe(0);
    expect(progressLines(quiet.out, 'migrate')).toEqual(['migrate: 1/5', 'migrate: 5/5']);
    expect(quiet.out).toContain(`migrate: note: newer state of 1 session(s) is spilled in ${spillStateRoot(dir)}, not in any store yet`);
  });

  it('moves s3 → db (SQLite) → fs with --delete-source, each step verified', async () => {
    const dir = dataDir();
    const key = hexKey();
    const keyring = new Keyring(Buffer.from(key, 'hex'));
    const source = s3Store('from-s3/state');
    const original = await seed(source, keyring, REFS);
    const env = { KIRIM_DATA_DIR: dir, KIRIM_STATE_KEY: key, KIRIM_STATE_STORE: 'db', ...s3Env, S3_ENDPOINT: s3.endpoint };

    const toDb = await run(['state', 'migrate', '--from', 's3://kirim-cli/from-s3/state', '--to', 'db', '--delete-source'], env);
    expect(toDb.err).toBe('');
    expect(toDb.code).toBe(0);
    expect(toDb.out).toContain('migrate: s3://kirim-cli/from-s3/state → db:sqlite (deleting each source after its copy is verified)');
    expect(progressLines(toDb.out, 'migrate')).toEqual(['migrate: 1/3', 'migrate: 3/3']);
    expect(toDb.out).toContain('3 of 3 copied and verified, 3 source copies deleted, 0 failed');
    expect(await contents(source, keyring)).toEqual(new Map());
    await source.close();

    // no --from: the configured store (KIRIM_STATE_STORE=db)
    const toFs = await run(['state', 'migrate', '--to', 'fs', '--delete-source'], env);
    expect(toFs.code).toBe(0);
    expect(toFs.out).toContain(`migrate: db:sqlite → fs:${fsStateRoot(dir)}`);
    expect(toFs.out).toContain('3 of 3 copied and verified, 3 source copies deleted, 0 failed');
    expect(await contents(new FsStateStore(fsStateRoot(dir)), keyring)).toEqual(original);
    const db = connectDatabase({ sqlitePath: path.join(dir, 'kirim.db') });
    try {
      expect(await contents(new DbStateStore(db), keyring)).toEqual(new Map());
    } finally {
      await db.close();
    }
  });

  it('keeps the source without --delete-source, and copies into the embedded SQLite database', async () => {
    const dir = dataDir();
    const key = hexKey();
    const keyring = new Keyring(Buffer.from(key, 'hex'));
    const fsStore = new FsStateStore(fsStateRoot(dir));
    const original = await seed(fsStore, keyring, REFS);
    const r = await run(['state', 'migrate', '--to', 'db'], { KIRIM_DATA_DIR: dir, KIRIM_STATE_KEY: key });
    expect(r.code).toBe(0);
    expect(await contents(fsStore, keyring)).toEqual(original);
    const db = connectDatabase({ sqlitePath: path.join(dir, 'kirim.db') });
    try {
      await migrate(db);
      expect(await contents(new DbStateStore(db), keyring)).toEqual(original);
    } finally {
      await db.close();
    }
  });

  it('rotates every envelope to the new key, reading the old one; a second run finds nothing to do', async () => {
    const dir = dataDir();
    const oldKey = hexKey();
    const newKey = hexKey();
    const store = new FsStateStore(fsStateRoot(dir));
    const original = await seed(store, new Keyring(Buffer.from(oldKey, 'hex')), REFS);
    const broken = { workspaceId: 'default', sessionId: 'ses_broken' };
    await store.write(broken, Buffer.from('KSTE garbage'));
    const env = { KIRIM_DATA_DIR: dir, KIRIM_STATE_KEY: newKey, KIRIM_STATE_KEY_PREVIOUS: oldKey };

    const first = await run(['state', 'rotate-key'], env);
    expect(first.code).toBe(1);
    expect(first.out).toContain('3 rotated, 0 already under the current key, 0 gone, 1 failed');
    expect(first.err).toMatch(/^rotate-key: default\/ses_broken failed: .+\n$/);

    await store.delete(broken);
    const second = await run(['state', 'rotate-key'], env);
    expect(second.code).toBe(0);
    expect(second.out).toContain('0 rotated, 3 already under the current key');

    const onlyNew = new Keyring(Buffer.from(newKey, 'hex'));
    expect(await contents(store, onlyNew)).toEqual(original);
    for (const ref of REFS) expect(isUnderCurrentKey((await store.read(ref))!, onlyNew)).toBe(true);
  });

  it.each([
    ['db', 'PostgreSQL'],
    ['s3', 's3rver'],
  ] as const)('rotates every envelope of the %s store (%s) to the new key', async (kind, _server) => {
    const dir = dataDir();
    const oldKey = hexKey();
    const newKey = hexKey();
    const prefix = `rotate-${randomBytes(3).toString('hex')}`;
    const env = {
      KIRIM_DATA_DIR: dir,
      KIRIM_STATE_KEY: newKey,
      KIRIM_STATE_KEY_PREVIOUS: oldKey,
      DATABASE_URL: pg.url,
      KIRIM_STATE_STORE: kind === 'db' ? 'db' : `s3://kirim-cli/${prefix}`,
      ...s3Env,
      S3_ENDPOINT: s3.endpoint,
    };
    const db = connectDatabase({ url: pg.url, poolSize: 1 });
    await migrate(db);
    const store = kind === 'db' ? new DbStateStore(db) : s3Store(prefix);
    try {
      if (kind === 'db') for await (const ref of store.list()) await store.delete(ref); // the schema is shared by this file's tests
      const original = await seed(store, new Keyring(Buffer.from(oldKey, 'hex')), REFS);
      const first = await run(['state', 'rotate-key'], env, undefined, secondPerCall());
      expect(first.err).toBe('');
      expect(first.code).toBe(0);
      expect(first.out).toContain(`rotate-key: re-encrypting ${kind === 'db' ? 'db:postgres' : `s3://kirim-cli/${prefix}`} under key`);
      expect(progressLines(first.out, 'rotate-key')).toEqual(['rotate-key: 1/3', 'rotate-key: 2/3', 'rotate-key: 3/3']);
      expect(first.out).toContain('3 rotated, 0 already under the current key, 0 gone, 0 failed');
      const onlyNew = new Keyring(Buffer.from(newKey, 'hex'));
      expect(await contents(store, onlyNew)).toEqual(original);
      for (const ref of REFS) expect(isUnderCurrentKey((await store.read(ref))!, onlyNew)).toBe(true);
      expect((await run(['state', 'rotate-key'], env)).out).toContain('0 rotated, 3 already under the current key');
    } finally {
      for (const ref of REFS) await store.delete(ref);
      if (kind === 's3') await store.close();
      await db.close();
    }
  });

  it('rotate-key also seals the webhook signing secrets under the new key', async () => {
    const dir = dataDir();
    const oldKey = hexKey();
    const newKey = hexKey();
    const db = connectDatabase({ sqlitePath: path.join(dir, 'kirim.db') });
    await migrate(db);
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const sealOld = keyringSealer(new Keyring(Buffer.from(oldKey, 'hex')), 'webhook secret');
    await new WebhookRepo(db.db, sealOld).insert({
      id: 'whk_1', workspace_id: 'default', url: 'https://example.com/h', events: null, secret, description: null, enabled: 1, disabled_reason: null, created_at: 1, updated_at: 1,
    });
    await db.close();

    const r = await run(['state', 'rotate-key'], { KIRIM_DATA_DIR: dir, KIRIM_STATE_KEY: newKey, KIRIM_STATE_KEY_PREVIOUS: oldKey });
    expect(r.code).toBe(0);
    expect(r.out).toContain('1 webhook secrets sealed under the current key, 0 failed');

    const after = connectDatabase({ sqlitePath: path.join(dir, 'kirim.db') });
    try {
      const onlyNew = new WebhookRepo(after.db, keyringSealer(new Keyring(Buffer.from(newKey, 'hex')), 'webhook secret'));
      expect((await onlyNew.getById('whk_1'))?.secret).toBe(secret);
    } finally {
      await after.close();
    }
    // without the old key, a secret it sealed is reported, not lost
    const again = await run(['state', 'rotate-key'], { KIRIM_DATA_DIR: dir, KIRIM_STATE_KEY: hexKey() });
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/rotate-key: webhook whk_1 failed: a webhook secret is sealed with key [0-9a-f]{8}, which is not configured/);
  });

  it('adopts a generated state.key: set KIRIM_STATE_KEY, rotate, and the saved key is no longer needed', async () => {
    const dir = dataDir();
    const generated = randomBytes(32);
    fs.writeFileSync(path.join(dir, 'state.key'), generated.toString('hex'));
    const store = new FsStateStore(fsStateRoot(dir));
    const original = await seed(store, new Keyring(generated), REFS.slice(0, 1));
    const key = hexKey();
    expect((await run(['state', 'rotate-key'], { KIRIM_DATA_DIR: dir, KIRIM_STATE_KEY: key })).code).toBe(0);
    expect(await contents(store, new Keyring(Buffer.from(key, 'hex')))).toEqual(original);
  });

  it('exports one session as an encrypted bundle and imports it into another gateway with the same key', async () => {
    const a = dataDir();
    const b = dataDir();
    const key = hexKey();
    const keyring = new Keyring(Buffer.from(key, 'hex'));
    const original = await seed(new FsStateStore(fsStateRoot(a)), keyring, REFS);

    const exp = await run(['state', 'export', 'ses_c'], { KIRIM_DATA_DIR: a, KIRIM_STATE_KEY: key }, a);
    expect(exp.code).toBe(0);
    const file = path.join(a, 'ses_c.kirim-state');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file).includes(Buffer.from('6281200'))).toBe(false); // encrypted
    expect((await run(['state', 'export', 'ses_c'], { KIRIM_DATA_DIR: a, KIRIM_STATE_KEY: key }, a)).err).toMatch(/exists \(use --force/);

    const wrong = await run(['state', 'import', file], { KIRIM_DATA_DIR: b, KIRIM_STATE_KEY: hexKey() });
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/^error: .*not configured.*\n$/);

    const imp = await run(['state', 'import', file], { KIRIM_DATA_DIR: b, KIRIM_STATE_KEY: key });
    expect(imp.code).toBe(0);
    expect(imp.out).toContain('acme/ses_c');
    const bStore = new FsStateStore(fsStateRoot(b));
    expect(await contents(bStore, keyring)).toEqual(new Map([['acme/ses_c', original.get('acme/ses_c')]]));

    const again = await run(['state', 'import', file], { KIRIM_DATA_DIR: b, KIRIM_STATE_KEY: key });
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already has state .* --force/);
    expect((await run(['state', 'import', file, '--force'], { KIRIM_DATA_DIR: b, KIRIM_STATE_KEY: key })).code).toBe(0);

    const junk = path.join(b, 'junk.bin');
    fs.writeFileSync(junk, 'hello');
    expect((await run(['state', 'import', junk], { KIRIM_DATA_DIR: b, KIRIM_STATE_KEY: key })).err).toBe('error: not a kirim state bundle\n');
  });

  it('answers bad arguments and configuration with one line and exit status 2', async () => {
    const dir = dataDir();
    const env = { KIRIM_DATA_DIR: dir, KIRIM_STATE_KEY: hexKey() };
    const cases: [string[], Record<string, string>, RegExp][] = [
      [[], env, /^$/],
      [['state'], env, /unknown command 'state'/],
      [['state', 'frobnicate'], env, /unknown command 'state frobnicate'/],
      [['state', 'migrate'], env, /missing --to/],
      [['state', 'migrate', '--to'], env, /--to needs a value/],
      [['state', 'migrate', '--to', 'ftp://x'], env, /unknown store 'ftp:\/\/x'/],
      [['state', 'migrate', '--to', 'fs'], env, /same store/],
      [['state', 'migrate', '--to', 'db', '--bogus'], env, /unknown option --bogus/],
      [['state', 'export'], env, /missing <sessionId>/],
      [['state', 'export', '../etc'], env, /not a session id/],
      [['state', 'export', 'nobody'], env, /has no stored state/],
      [['state', 'rotate-key', 'extra'], env, /unexpected argument 'extra'/],
      [['state', 'rotate-key'], { KIRIM_DATA_DIR: dir }, /no state key/],
      [['state', 'rotate-key'], { ...env, KIRIM_STATE_KEY: 'nope' }, /invalid KIRIM_STATE_KEY/],
    ];
    for (const [argv, e, msg] of cases) {
      const r = await run(argv, e);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(msg);
      expect(r.err.split('\n').filter(Boolean).length, argv.join(' ')).toBeLessThanOrEqual(1);
    }
    expect((await run(['help'], env)).out).toContain('state migrate --to <store>');
  });
});
