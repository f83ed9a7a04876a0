import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeAuthSnapshot, type AuthSnapshot } from './auth-snapshot.js';
import { decodeAuthState, encodeAuthState, isUnderCurrentKey, reencryptEnvelope } from './codec.js';
import { StateDecodeError } from './decode-error.js';
import { Compression, openEnvelope, sealEnvelope } from './envelope.js';
import { Keyring } from './keyring.js';
import { decodeValue, encodeValue } from './value-codec.js';

const FIXTURE_KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
const FIXTURE_REF = { workspaceId: 'default', sessionId: 'ses_fixture' };
/** Envelopes written by envelope v1 / payload v1; every later kirim must still read them. */
const V1_BROTLI =
  '4b5354450102c4492caa090909090909090909090909a8ac093b6363be502274284aac96fea3c84fc5283b90e9d06d44ce33eb77009ffe3d85b85b928c576f4a88003c927b6bf5becdf53cdc422a044a2dc51efbd61ae011605e73a45d560447a39adfea6c892ce30bd10a8f335608cf532b435839047074f3f9ef7eaaae51adf2acbf20162b7077066c98d93cf3b8bcb6e860a511654f2306d621bacfe034f08ed1e092f3189f1b93b168df1b57d097449d91bf347f232be978276d5bd3316283a70eb7db5ad354b168820ccd406f51668e05f098f842e2af0188bba92166e6b96b5ba852627ac2c2c69ccf017ad4bdb2fadab82447aaf2ab024268111034399d48a1d24f781c21c17677fe519a82164bf293dde58accfe2520ebd650a5921378faf1d664cc14bda13a7c2f791bba78b6c1290a5cc128a3ec23b291d143bdf56abe4e36c6037f5e77d32684b6d285b69eb2df51b5c03bc8ed9ff0ffe0439b707579ba';
const V1_DEFLATE =
  '4b5354450101c4492caa0909090909090909090909093688c11484ee5f61eab6fe35dc800e1b7743313439af96b49a64dad3e3a26ab0bb0b27d11a93ba874fb769d98e5e8713713de378f479e1c7ff35caf88fc93c695cd4161c91fa5814bacdba2ef3daf55efbe501a3b405438eaa4c71008357a488ce63b75c48129ee783b658e0bd334af71f07ccfa8356e417f29969349d997f0e0d7d453880f3205a6d9a235cb59286a2cbf34329d31ec6e703ff61ee91fac16f7cd04267eb560dcfaec04e9d2bd93a9f826d54a44a37935c84d9465fbc329a7fdb46d33270e955786448d135a60f5c1c2059ead4dd200398da0a0cfb1089251ec2cbbff7811af5f14bb655cd04bc8b51a8542149788ee9119d85b9080c2e5458dc01ee34568a017d450d6bc8fa55135f373a5480427caf2d5cc5bbccdaf3ee334e466a68cb74a90a36f60c55261e88baeb58aae4a2db65334c6ac78367c988d2c80ed55aa1933b8454e7837244a08dc2690048484fae1fce2ec93186358e0491b4745c38b8e193de5455faa260eb98e6bd2b';

/** v1 with known-string references (tag 13), a bigint and a Signal session record. */
const V1_KNOWN_STRINGS =
  '4b5354450102c4492caa0101010101010101010101016c94e4358c021d899dbbe4153b69188bd87c6f8b866149f498f925b8c03e8ef9ad04f5dfe140183de826e7b1386f6df098dca8ee3f0f720179c62502c523bd9f224ed4f5a06a485de798b1ccceade49576e732faed55c98966faf9338b90fcd55be5b1711a56505625163a369beaf3e9ecba410b06b0ad8e3e902c26a4f1f7ac5a0454daf33311402f8f17a05cd8de3ca39c10f2f3a9ae208f999e08d0a394e1361f67f32c7ccae4d56bd5b7e151fdc8810f8ef8c9270a6620a8499ea63a8d4515fe9f191a4e69b505be74f5afe095c5dae69abab28bfc7c33e11249af';

function sample(): AuthSnapshot {
  const pk = Buffer.alloc(5 * 32);
  pk.fill(3, 0, 32);
  pk.fill(4, 96, 128);
  return {
    creds: { registrationId: 7, noiseKey: { private: Buffer.alloc(32, 1), public: Buffer.alloc(32, 2) }, advSecretKey: 'q83vEjRWeJCrze8SNFZ4kA==' },
    preKeys: { firstId: 100, privateKeys: pk },
    keys: new Map([['identity-key', new Map([['1.0', encodeValue(Buffer.alloc(33, 5))]])]]),
  };
}

/**
 * A session as it is after a while in use: Baileys' creds, 812 pre-keys, and for each of 100
 * contacts a libsignal session record (base64 strings, as libsignal serialises them, with the
 * ratchet and chain keys repeated where libsignal repeats them), its identity key, LID mapping and
 * device list. Every key is random, as real keys are.
 */
function realisticSnapshot(contacts = 100): AuthSnapshot {
  const b64 = (n: number) => randomBytes(n).toString('base64');
  const pub = () => Buffer.concat([Buffer.from([5]), randomBytes(32)]);
  const pair = () => ({ private: randomBytes(32), public: randomBytes(32) });
  const now = 1_763_800_000;
  const sessions = new Map<string, Uint8Array>();
  const identities = new Map<string, Uint8Array>();
  const lids = new Map<string, Uint8Array>();
  const devices = new Map<string, Uint8Array>();
  for (let i = 0; i < contacts; i++) {
    const phone = `62899${String(100000 + i)}`;
    const lid = `${2_000_000_000_000 + i * 7919}`;
    const identity = pub();
    const baseKey = pub().toString('base64');
    const ours = pub().toString('base64');
    const theirs = pub().toString('base64');
    const entry = {
      registrationId: 1 + ((i * 7717) % 16380),
      currentRatchet: { ephemeralKeyPair: { pubKey: ours, privKey: b64(32) }, lastRemoteEphemeralKey: theirs, previousCounter: i % 4, rootKey: b64(32) },
      indexInfo: { baseKey, baseKeyType: 1 + (i % 2), closed: -1, used: now * 1000 + i, created: now * 1000 + i, remoteIdentityKey: identity.toString('base64') },
      _chains: {
        [ours]: { chainKey: { counter: i % 9, key: b64(32) }, chainType: 1, messageKeys: {} },
        [theirs]: { chainKey: { counter: i % 5, key: b64(32) }, chainType: 2, messageKeys: {} },
      },
    };
    sessions.set(`${lid}.0`, encodeValue({ _sessions: { [baseKey]: entry }, version: 'v1' }));
    identities.set(`${lid}.0`, encodeValue(identity));
    lids.set(phone, encodeValue(lid));
    lids.set(`${lid}_reverse`, encodeValue(phone));
    devices.set(phone, encodeValue(['0']));
  }
  return {
    creds: {
      noiseKey: pair(),
      pairingEphemeralKeyPair: pair(),
      signedIdentityKey: pair(),
      signedPreKey: { keyPair: pair(), signature: randomBytes(64), keyId: 1 },
      registrationId: 4242,
      advSecretKey: b64(32),
      processedHistoryMessages: [],
      nextPreKeyId: 813,
      firstUnuploadedPreKeyId: 813,
      accountSyncCounter: 1,
      accountSettings: { unarchiveChats: false },
      registered: true,
      me: { id: '6281234567890:12@s.whatsapp.net', lid: '123456789012345:12@lid', name: 'Toko Sejahtera' },
      account: { details: randomBytes(60), accountSignatureKey: randomBytes(32), accountSignature: randomBytes(64), deviceSignature: randomBytes(64) },
      signalIdentities: [{ identifier: { name: '6281234567890:12@s.whatsapp.net', deviceId: 0 }, identifierKey: pub() }],
      platform: 'android',
      lastAccountSyncTimestamp: now,
      myAppStateKeyId: 'AAAAAJ7d',
    },
    preKeys: { firstId: 1, privateKeys: randomBytes(812 * 32) },
    keys: new Map([
      ['session', sessions],
      ['identity-key', identities],
      ['lid-mapping', lids],
      ['device-list', devices],
    ]),
  };
}

describe('state codec', () => {
  it('decodes the v1 fixture envelopes (brotli and deflate) to the state they were written from', async () => {
    const keyring = new Keyring(FIXTURE_KEY);
    for (const hex of [V1_BROTLI, V1_DEFLATE]) {
      const { snapshot } = await decodeAuthState(Buffer.from(hex, 'hex'), FIXTURE_REF, keyring);
      expect(snapshot.creds).toEqual({
        registrationId: 4242,
        advSecretKey: 'q83vEjRWeJCrze8SNFZ4kA==',
        noiseKey: { private: Buffer.alloc(32, 1), public: Buffer.alloc(32, 2) },
        me: { id: '6281234567890:1@s.whatsapp.net', name: 'Kirim' },
        nextPreKeyId: 13,
        firstUnuploadedPreKeyId: 13,
        registered: false,
        pairingCode: undefined,
        ratio: 0.5,
        neg: -7,
      });
      expect(snapshot.preKeys.firstId).toBe(10);
      expect(snapshot.preKeys.privateKeys.length).toBe(96);
      expect(snapshot.preKeys.privateKeys[0]).toBe(1);
      expect(snapshot.preKeys.privateKeys.subarray(32, 64)).toEqual(Buffer.alloc(32));
      expect(snapshot.preKeys.privateKeys[64]).toBe(255);
      expect(decodeValue(Buffer.from(snapshot.keys.get('session')!.get('6281111.0')!))).toEqual({ _sessions: {}, version: 'v1' });
      expect(decodeValue(Buffer.from(snapshot.keys.get('lid-mapping')!.get('6281111')!))).toBe('99@lid');
    }
  });

  it('decodes the v1 fixture with known-string references', async () => {
    const ref = { workspaceId: 'default', sessionId: 'ses_fixture2' };
    const { snapshot } = await decodeAuthState(Buffer.from(V1_KNOWN_STRINGS, 'hex'), ref, new Keyring(FIXTURE_KEY));
    expect(snapshot.creds).toEqual({
      registrationId: 77,
      signedPreKey: { keyPair: { private: Buffer.alloc(32, 3), public: Buffer.alloc(32, 4) }, signature: Buffer.alloc(64, 5), keyId: 1 },
      big: 2n ** 70n,
    });
    expect(snapshot.preKeys.firstId).toBe(500);
    expect(snapshot.preKeys.privateKeys[0]).toBe(7);
    expect(decodeValue(Buffer.from(snapshot.keys.get('session')!.get('6282222.0')!))).toEqual({
      _sessions: { 'BXCi/deUF5XO5s2U1u/jy12EVDhs01LI/sot3ylKP1oI': { registrationId: 38, indexInfo: { closed: -1, baseKeyType: 2 }, _chains: {} } },
      version: 'v1',
    });
  });

  it('round-trips a snapshot; equal states give equal hashes and fresh nonces', async () => {
    const keyring = Keyring.generate();
    const ref = { workspaceId: 'w', sessionId: 's' };
    const a = await encodeAuthState(sample(), ref, keyring);
    const b = await encodeAuthState(sample(), ref, keyring);
    expect(a.hash).toEqual(b.hash);
    expect(a.envelope.equals(b.envelope)).toBe(false);
    const { snapshot, hash } = await decodeAuthState(a.envelope, ref, keyring);
    expect(hash).toEqual(a.hash);
    expect(encodeAuthSnapshot(snapshot)).toEqual(encodeAuthSnapshot(sample()));
    expect(a.envelope.includes(Buffer.alloc(32, 1))).toBe(false); // no key material in the clear
  });

  it('compresses a typical state: the stored envelope is smaller than its plaintext', async () => {
    const keyring = Keyring.generate();
    const ref = { workspaceId: 'w', sessionId: 's' };
    const snapshot = realisticSnapshot();
    const plaintext = encodeAuthSnapshot(snapshot).length;
    const { envelope } = await encodeAuthState(snapshot, ref, keyring);
    const uncompressed = await sealEnvelope(encodeAuthSnapshot(snapshot), ref, keyring.current, { compression: Compression.None });
    expect(uncompressed.length).toBeGreaterThan(plaintext); // the envelope's own bytes: header, tag
    expect(envelope.length).toBeLessThan(plaintext * 0.9);
    expect(envelope.length).toBeLessThan(64 * 1024);
    // a fresh pairing is nearly all random pre-keys: compression still does not make it bigger
    const paired = realisticSnapshot(1);
    expect((await encodeAuthState(paired, ref, keyring)).envelope.length).toBeLessThan(encodeAuthSnapshot(paired).length);
  });

  it('refuses an envelope copied to another session or workspace', async () => {
    const keyring = Keyring.generate();
    const { envelope } = await encodeAuthState(sample(), { workspaceId: 'w', sessionId: 's1' }, keyring);
    await expect(decodeAuthState(envelope, { workspaceId: 'w', sessionId: 's2' }, keyring)).rejects.toThrow(/copied from another session/);
    await expect(decodeAuthState(envelope, { workspaceId: 'w2', sessionId: 's1' }, keyring)).rejects.toThrow(StateDecodeError);
  });

  it('gives a clear error for a wrong key, an unknown key, tampering, truncation, junk and newer versions', async () => {
    const ref = { workspaceId: 'w', sessionId: 's' };
    const keyring = Keyring.generate();
    const { envelope } = await encodeAuthState(sample(), ref, keyring);
    await expect(decodeAuthState(envelope, ref, Keyring.generate())).rejects.toThrow(/key [0-9a-f]{8}, which is not configured/);
    for (let i = 0; i < envelope.length; i += 7) {
      const bad = Buffer.from(envelope);
      bad[i] ^= 0x20;
      await expect(decodeAuthState(bad, ref, keyring)).rejects.toBeInstanceOf(StateDecodeError);
    }
    await expect(decodeAuthState(envelope.subarray(0, envelope.length - 1), ref, keyring)).rejects.toThrow(/failed authentication/);
    await expect(decodeAuthState(envelope.subarray(0, 20), ref, keyring)).rejects.toThrow(/truncated/);
    await expect(decodeAuthState(Buffer.from('{"creds":{}}'), ref, keyring)).rejects.toThrow(/bad magic/);
    await expect(decodeAuthState(Buffer.alloc(0), ref, keyring)).rejects.toThrow(/bad magic/);
    const newer = Buffer.from(envelope);
    newer[4] = 9;
    await expect(decodeAuthState(newer, ref, keyring)).rejects.toThrow(/version 9 is not supported/);
  });

  it('reports a payload that decrypts but does not decode, instead of returning garbage', async () => {
    const ref = { workspaceId: 'w', sessionId: 's' };
    const keyring = Keyring.generate();
    for (const payload of [Buffer.from([1, 99]), Buffer.from([2]), Buffer.from([1, 11, 0, 0, 5])]) {
      const env = await sealEnvelope(payload, ref, keyring.current, { compression: Compression.None });
      await expect(decodeAuthState(env, ref, keyring)).rejects.toThrow(/session s: .*(corrupt|version)/);
    }
  });

  it('reads with previous keys and re-encrypts under the current one', async () => {
    const ref = { workspaceId: 'w', sessionId: 's' };
    const old = Keyring.generate();
    const { envelope } = await encodeAuthState(sample(), ref, old);
    const rotated = new Keyring(Keyring.generate().current.key, [old.current.key]);
    expect(isUnderCurrentKey(envelope, rotated)).toBe(false);
    const again = await reencryptEnvelope(envelope, ref, rotated);
    expect(isUnderCurrentKey(again, rotated)).toBe(true);
    expect(await openEnvelope(again, ref, new Keyring(rotated.current.key))).toEqual(await openEnvelope(envelope, ref, old));
  });
});
