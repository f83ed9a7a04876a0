import fs from 'node:fs';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { BufferJSON } from 'baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeValue, encodeAuthSnapshot, type AuthSnapshot } from '../../src/state-store/index.js';
import { isZero, PRE_KEY_BYTES } from '../../src/state-store/auth-snapshot.js';
import { startTestGateway, type TestGateway } from '../support/gateway-in-process.js';
import { startTestS3, type TestS3 } from '../support/s3-server.js';
import { startTestSim, testPhone, type TestSim } from '../support/sim.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * No key material in plaintext at rest: after pairing and a few messages both ways, none of the
 * session's private keys — noise, identity, signed pre-key, ADV secret, every pre-key, the root,
 * chain and ratchet keys of its Signal sessions, and any other secret field of any key entry
 * (sender keys, app-state keys when present) — appears as raw bytes, hex, base64 or base64url in
 * any file under the gateway's data dir (but `state.key`) or any object of the S3 bucket.
 */

interface Secret {
  name: string;
  bytes: Buffer;
}
interface Blob {
  name: string;
  data: Buffer;
}

const bytesOf = (v: unknown): Buffer | undefined =>
  v instanceof Uint8Array ? Buffer.from(v) : typeof v === 'string' && v.length >= 40 ? Buffer.from(v, 'base64') : undefined;

/** Field names that hold secrets in Baileys' creds and key entries (libsignal records, sender keys, app-state keys). */
const SECRET_FIELDS = new Set(['private', 'privKey', 'rootKey', 'key', 'seed', 'keyData', 'advSecretKey']);

/** Every value ≥ 16 bytes under a secret-named field, anywhere in `value`. */
function secretFields(value: unknown, at: string, out: Secret[]): void {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return;
  for (const [k, v] of Object.entries(value)) {
    const bytes = SECRET_FIELDS.has(k) ? bytesOf(v) : undefined;
    if (bytes && bytes.length >= 16) out.push({ name: `${k} at ${at}`, bytes });
    else secretFields(v, `${at}.${k}`, out);
  }
}

/** The private keys of a decrypted session state (see auth-state.ts for where each lives). */
function secretsOf(snapshot: AuthSnapshot): Secret[] {
  const creds = snapshot.creds as any;
  const out: Secret[] = [
    { name: 'noise key', bytes: bytesOf(creds.noiseKey.private)! },
    { name: 'identity key', bytes: bytesOf(creds.signedIdentityKey.private)! },
    { name: 'signed pre-key', bytes: bytesOf(creds.signedPreKey.keyPair.private)! },
    { name: 'pairing ephemeral key', bytes: bytesOf(creds.pairingEphemeralKeyPair.private)! },
    { name: 'ADV secret', bytes: Buffer.from(creds.advSecretKey, 'base64') },
  ];
  const { privateKeys, firstId } = snapshot.preKeys;
  const present: number[] = [];
  for (let i = 0; i < privateKeys.length / PRE_KEY_BYTES; i++) if (!isZero(privateKeys, i)) present.push(i);
  for (const i of present) {
    out.push({ name: `pre-key ${firstId + i}`, bytes: Buffer.from(privateKeys.subarray(i * PRE_KEY_BYTES, (i + 1) * PRE_KEY_BYTES)) });
  }
  // libsignal session records: { _sessions: { [baseKey]: { currentRatchet: { rootKey, ephemeralKeyPair: { privKey } }, _chains: { [k]: { chainKey: { key } } } } } }
  const sessions = snapshot.keys.get('session');
  for (const id of sessions?.keys() ?? []) {
    const record = decodeValue(Buffer.from(sessions!.get(id)!), 'session') as any;
    for (const [baseKey, s] of Object.entries<any>(record._sessions ?? {})) {
      const at = `${id} ${baseKey.slice(0, 8)}`;
      out.push({ name: `root key of ${at}`, bytes: bytesOf(s.currentRatchet.rootKey)! });
      out.push({ name: `ratchet private key of ${at}`, bytes: bytesOf(s.currentRatchet.ephemeralKeyPair.privKey)! });
      for (const [k, chain] of Object.entries<any>(s._chains ?? {})) {
        const key = bytesOf(chain.chainKey?.key);
        if (key) out.push({ name: `chain key ${k.slice(0, 8)} of ${at}`, bytes: key });
      }
    }
  }
  // and whatever else is secret, in creds and in every key entry of every type
  const more: Secret[] = [];
  secretFields(snapshot.creds, 'creds', more);
  for (const [type, entries] of snapshot.keys) {
    for (const id of entries.keys()) secretFields({ [id]: decodeValue(Buffer.from(entries.get(id)!), type) }, type, more);
  }
  const seen = new Set(out.map((s) => s.bytes.toString('hex')));
  for (const s of more) {
    if (!seen.has(s.bytes.toString('hex'))) out.push(s);
    seen.add(s.bytes.toString('hex'));
  }
  return out;
}

/** How a key could be written down: raw, hex (both cases), base64 and base64url (the first 30 bytes' worth). */
function forms(bytes: Buffer): { form: string; needle: Buffer }[] {
  const b64 = bytes.toString('base64');
  const b64url = bytes.toString('base64url');
  const whole = Math.floor(Math.min(b64.length, 40) / 4) * 4;
  return [
    { form: 'raw', needle: bytes },
    { form: 'hex', needle: Buffer.from(bytes.toString('hex')) },
    { form: 'HEX', needle: Buffer.from(bytes.toString('hex').toUpperCase()) },
    { form: 'base64', needle: Buffer.from(b64.slice(0, whole)) },
    { form: 'base64url', needle: Buffer.from(b64url.slice(0, whole)) },
  ];
}

function findLeaks(blobs: Blob[], secrets: Secret[]): string[] {
  const leaks: string[] = [];
  for (const s of secrets) {
    for (const { form, needle } of forms(s.bytes)) {
      for (const b of blobs) if (b.data.includes(needle)) leaks.push(`${s.name} as ${form} in ${b.name}`);
    }
  }
  return leaks;
}

/** Every file under `dir`, except `state.key` and the simulator's world (WhatsApp's side) if it is there. */
function filesUnder(dir: string, root = dir): Blob[] {
  const out: Blob[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const rel = path.relative(root, full);
    if (rel === 'state.key' || rel === 'sim') continue;
    if (entry.isDirectory()) out.push(...filesUnder(full, root));
    else if (entry.isFile()) out.push({ name: rel, data: fs.readFileSync(full) });
  }
  return out;
}

describe.each(['fs', 'db', 's3'] as const)('no key material in plaintext at rest (%s store)', (store) => {
  let sim: TestSim;
  let s3: TestS3 | undefined;
  let dir: ReturnType<typeof tempDir>;
  let t: TestGateway;
  let sessionId: string;
  let webhookSecret: string;
  const bucket = 'kirim-at-rest';

  beforeAll(async () => {
    sim = await startTestSim();
    dir = tempDir();
    const env: Record<string, string> = { KIRIM_DATA_DIR: dir.dir, KIRIM_SANDBOX_URL: sim.sim.url, KIRIM_ALLOW_PRIVATE_URLS: '1' };
    if (store === 's3') {
      s3 = await startTestS3(bucket);
      Object.assign(env, {
        KIRIM_STATE_STORE: `s3://${bucket}/prod`,
        S3_ENDPOINT: s3.endpoint,
        S3_REGION: 'us-east-1',
        S3_ACCESS_KEY_ID: s3.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        S3_FORCE_PATH_STYLE: '1',
      });
    } else {
      env.KIRIM_STATE_STORE = store;
    }
    t = await startTestGateway(env);
    const hook = await t.api.post('/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['session.status'] });
    expect(hook.status).toBe(201);
    webhookSecret = hook.body.secret;
    const events = t.sse();
    await events.ready;
    sessionId = (await t.api.post('/v1/sessions', { name: 'at rest' })).body.id;
    const qr = await events.waitFor((e) => e.event === 'session.qr' && e.data.sessionId === sessionId, 10_000, 'qr');
    const account = testPhone('62851');
    expect((await sim.admin('POST', '/admin/scan', { qr: qr.data.data.qr, phone: account })).status).toBe(200);
    await events.waitFor((e) => e.data.sessionId === sessionId && e.data.data?.status === 'open', 15_000, 'open');

    // a few messages both ways, so the state holds Signal sessions with live chains
    for (const contact of [testPhone('62852'), testPhone('62853')]) {
      const sent = await t.api.post(`/v1/sessions/${sessionId}/messages`, { to: contact, text: `to ${contact}` });
      expect(sent.status).toBe(202);
      await events.waitFor((e) => e.event === 'message.status' && e.data.data.messageId === sent.body.id && e.data.data.status === 'delivered', 10_000, 'delivered');
      expect((await sim.admin('POST', `/admin/contacts/${contact}/send`, { to: account, text: `from ${contact}` })).status).toBe(200);
      await events.waitFor((e) => e.event === 'message.received' && e.data.data.text === `from ${contact}`, 10_000, 'received');
    }
    await t.gw.vault.flushAll();
  });
  afterAll(async () => {
    await t?.close();
    await s3?.destroy();
    await sim?.close();
    dir?.cleanup();
  });

  /** What is at rest: the data dir, and for `s3` every object in the bucket. */
  async function atRest(): Promise<Blob[]> {
    const blobs = filesUnder(dir.dir);
    if (s3) {
      const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
      try {
        const list = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
        for (const o of list.Contents ?? []) {
          const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }));
          blobs.push({ name: `s3://${bucket}/${o.Key}`, data: Buffer.from(await got.Body!.transformToByteArray()) });
        }
      } finally {
        client.destroy();
      }
    }
    return blobs;
  }

  it('finds none of the session private keys, nor the webhook signing secret, in any form', async () => {
    const snapshot = (await t.gw.vault.forSession({ workspaceId: 'default', sessionId }).load())!;
    const secrets = [...secretsOf(snapshot), { name: 'webhook secret', bytes: Buffer.from(webhookSecret.slice('whsec_'.length), 'base64') }];
    expect(secrets.at(-1)!.bytes.length).toBe(32);
    // every pre-key the state holds (812 uploaded at pairing; none used: this session wrote first to each contact)
    const preKeys = secrets.filter((s) => s.name.startsWith('pre-key'));
    expect(preKeys.length).toBeGreaterThanOrEqual(800);
    expect(preKeys.length * PRE_KEY_BYTES).toBeLessThanOrEqual(snapshot.preKeys.privateKeys.length);
    expect(new Set(preKeys.map((s) => s.bytes.toString('hex'))).size).toBe(preKeys.length);
    expect(secrets.filter((s) => s.name.startsWith('root key')).length).toBeGreaterThanOrEqual(2);
    expect(secrets.filter((s) => s.name.startsWith('chain key')).length).toBeGreaterThanOrEqual(2);
    for (const s of secrets) expect(s.bytes.length, s.name).toBeGreaterThanOrEqual(32);

    const blobs = await atRest();
    // the scan does see the stored state: the envelope's first 64 bytes (header, nonce, ciphertext)
    const envelope = (await t.gw.vault.store.read({ workspaceId: 'default', sessionId }))!;
    expect(blobs.some((b) => b.data.includes(envelope.subarray(0, 64))), 'the stored envelope is among the scanned bytes').toBe(true);
    if (store === 'db') expect(blobs.map((b) => b.name)).toContain('kirim.db');
    if (store === 's3') expect(blobs.some((b) => b.name.startsWith(`s3://${bucket}/prod/`))).toBe(true);
    if (store === 'fs') expect(blobs.some((b) => b.name.startsWith('sessions/') && b.name.endsWith('.kst'))).toBe(true);

    expect(findLeaks(blobs, secrets)).toEqual([]);
  });

  it('control: the same search finds every key in a decrypted copy, and each written form', async () => {
    const snapshot = (await t.gw.vault.forSession({ workspaceId: 'default', sessionId }).load())!;
    const secrets = secretsOf(snapshot);
    // the decrypted payload holds every key as raw bytes
    const plain = encodeAuthSnapshot(snapshot);
    const found = new Set(findLeaks([{ name: 'decrypted payload', data: plain }], secrets).map((l) => l.split(' as ')[0]));
    expect(secrets.filter((s) => !found.has(s.name)).map((s) => s.name)).toEqual([]);
    // the field walk also picks up the secrets of key types this run did not produce (groups, app state)
    const extra: Secret[] = [];
    const b64 = (n: number) => Buffer.alloc(n, n).toString('base64');
    secretFields({ keyData: Buffer.alloc(32, 1), fingerprint: { rawId: 7, currentIndex: 1 }, timestamp: '1' }, 'app-state-sync-key', extra);
    secretFields(
      [{ senderKeyId: 3, senderChainKey: { iteration: 0, seed: b64(32) }, senderSigningKey: { public: b64(33), private: b64(32) }, senderMessageKeys: [{ iteration: 1, seed: b64(32) }] }],
      'sender-key',
      extra,
    );
    expect(extra.map((e) => e.name)).toEqual([
      'keyData at app-state-sync-key',
      'seed at sender-key.0.senderChainKey',
      'private at sender-key.0.senderSigningKey',
      'seed at sender-key.0.senderMessageKeys.0',
    ]);
    // what Baileys' own file store would write (BufferJSON: base64) is caught too
    const json = Buffer.from(JSON.stringify(snapshot.creds, BufferJSON.replacer));
    expect(findLeaks([{ name: 'creds.json', data: json }], secrets)).toContain('noise key as base64 in creds.json');
    // and hex / base64url written anywhere in a file
    const noise = secrets[0].bytes;
    for (const [form, text] of [
      ['hex', noise.toString('hex')],
      ['HEX', noise.toString('hex').toUpperCase()],
      ['base64url', noise.toString('base64url')],
    ]) {
      const leaky = Buffer.concat([Buffer.from('log line: key='), Buffer.from(text), Buffer.from(' end\n')]);
      expect(findLeaks([{ name: 'leaky.log', data: leaky }], [secrets[0]])).toContain(`noise key as ${form} in leaky.log`);
    }
  });
});
