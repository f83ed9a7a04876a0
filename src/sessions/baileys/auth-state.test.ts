import {
  type AuthenticationState,
  type SignalKeyStoreWithTransaction,
  Curve,
  DEFAULT_CONNECTION_CONFIG,
  addTransactionCapability,
  generateOrGetPreKeys,
  generateSignalPubKey,
  getNextPreKeys,
  proto,
} from 'baileys';
import { describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../core/logger.js';
import { Keyring, MemoryStateStore, StateVault, type StateRef } from '../../state-store/index.js';
import { openSessionAuth, PRE_KEY_WINDOW, type SessionAuth } from './auth-state.js';

const log = silentLogger;

function setup() {
  const store = new MemoryStateStore();
  const keyring = Keyring.generate();
  const vault = () => new StateVault({ store, keyring, logger: log, flushDelayMs: 60_000 });
  return { store, keyring, vault };
}

const withTx = (state: AuthenticationState): SignalKeyStoreWithTransaction =>
  addTransactionCapability(state.keys, log as never, { maxCommitRetries: 1, delayBetweenTriesMs: 1 });

/** Baileys' pre-key generation and upload bookkeeping, as uploadPreKeys does it. */
async function uploadPreKeys(auth: SessionAuth, count: number) {
  const keys = withTx(auth.state);
  const { update, preKeys } = await keys.transaction(() => getNextPreKeys({ creds: auth.state.creds, keys }, count), 'upload');
  Object.assign(auth.state.creds, update);
  auth.credsChanged();
  return preKeys;
}

async function reopen(vault: StateVault, ref: StateRef) {
  return openSessionAuth(vault.forSession(ref), log);
}

describe('openSessionAuth', () => {
  it('creates fresh credentials for a new session and persists them', async () => {
    const { store, vault } = setup();
    const ref = { workspaceId: 'w', sessionId: 'fresh' };
    const v = vault();
    const auth = await reopen(v, ref);
    expect(auth.state.creds.registrationId).toBeGreaterThan(0);
    expect(auth.isRegistered()).toBe(false);
    await auth.flush();
    expect(await store.read(ref)).not.toBeNull();
    const again = await reopen(vault(), ref);
    expect(again.state.creds.noiseKey.private).toEqual(auth.state.creds.noiseKey.private);
    expect(again.state.creds.signedPreKey.signature).toEqual(auth.state.creds.signedPreKey.signature);
    expect(again.state.creds.advSecretKey).toBe(auth.state.creds.advSecretKey);
  });

  it('serves pre-keys with the public keys Baileys generated, derived from the private keys', async () => {
    const { vault } = setup();
    const auth = await reopen(vault(), { workspaceId: 'w', sessionId: 'pk' });
    const { newPreKeys } = generateOrGetPreKeys(auth.state.creds, 50);
    await auth.state.keys.set({ 'pre-key': newPreKeys });
    const ids = Object.keys(newPreKeys);
    const got = await auth.state.keys.get('pre-key', [...ids, '9999', 'nope']);
    expect(Object.keys(got).sort()).toEqual(ids.sort());
    for (const id of ids) {
      expect(Buffer.from(got[id].public)).toEqual(Buffer.from(newPreKeys[+id].public));
      expect(Buffer.from(got[id].private)).toEqual(Buffer.from(newPreKeys[+id].private));
    }
  });

  it('keeps 812 uploaded pre-keys across a reopen, forgets used ones, and prunes the stock to a window', async () => {
    const { vault, store } = setup();
    const ref = { workspaceId: 'w', sessionId: 'upload' };
    const v1 = vault();
    const auth = await reopen(v1, ref);
    const uploaded = await uploadPreKeys(auth, 812);
    expect(Object.keys(uploaded)).toHaveLength(812);
    expect(auth.state.creds.nextPreKeyId).toBe(813);
    await auth.state.keys.set({ 'pre-key': { '5': null, '6': null } });
    await auth.flush();
    const size = (await store.read(ref))!.length;
    expect(size).toBeLessThan(28 * 1024);

    const again = await reopen(vault(), ref);
    const back = await again.state.keys.get('pre-key', Object.keys(uploaded));
    expect(Object.keys(back)).toHaveLength(810);
    expect(back['5']).toBeUndefined();
    expect(Buffer.from(back['812'].public)).toEqual(Buffer.from(uploaded['812'].public));

    // more uploads push the low ids out of the window; ids the counters have not reached yet stay
    again.state.creds.firstUnuploadedPreKeyId = 813 + PRE_KEY_WINDOW - 100;
    again.state.creds.nextPreKeyId = again.state.creds.firstUnuploadedPreKeyId;
    await again.state.keys.set({ 'pre-key': { [String(again.state.creds.nextPreKeyId + 3)]: Curve.generateKeyPair() } });
    const left = await again.state.keys.get('pre-key', Array.from({ length: 2000 }, (_, i) => String(i)));
    const ids = Object.keys(left).map(Number);
    expect(Math.min(...ids)).toBe(813 - 100);
    expect(ids).toContain(again.state.creds.nextPreKeyId + 3);
    expect(ids).toHaveLength(100 + 1);
  });

  it('round-trips every Signal key type, and app-state keys come back as protobuf messages', async () => {
    const { vault } = setup();
    const ref = { workspaceId: 'w', sessionId: 'types' };
    const auth = await reopen(vault(), ref);
    const appKey = proto.Message.AppStateSyncKeyData.fromObject({ keyData: Buffer.alloc(32, 7), timestamp: 1700000000, fingerprint: { rawId: 3, currentIndex: 1, deviceIndexes: [0, 1] } });
    await auth.state.keys.set({
      'sender-key': { 'g@g.us::1::0': Buffer.from('{"k":"v"}') },
      'sender-key-memory': { 'g@g.us': { '1@s.whatsapp.net': true } },
      'app-state-sync-key': { AAAAAQ: appKey },
      'app-state-sync-version': { regular: { version: 3, hash: Buffer.alloc(128, 1), indexValueMap: { 'aGVsbG8gd29ybGQh': { valueMac: Buffer.alloc(32, 2) } } } },
      'lid-mapping': { '123': '456@lid', '456_reverse': '123' },
      'device-list': { '123': ['0', '12'] },
      tctoken: { '123@s.whatsapp.net': { token: Buffer.from([1, 2, 3]), timestamp: '1700000000' } },
      'identity-key': { '123.0': Buffer.alloc(33, 5) },
    });
    await auth.flush();
    const again = await reopen(vault(), ref);
    const k = again.state.keys;
    const app = (await k.get('app-state-sync-key', ['AAAAAQ'])).AAAAAQ;
    expect(app).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
    expect(Buffer.from(app.keyData!)).toEqual(Buffer.alloc(32, 7));
    expect((await k.get('sender-key', ['g@g.us::1::0']))['g@g.us::1::0']).toEqual(Buffer.from('{"k":"v"}'));
    expect((await k.get('sender-key-memory', ['g@g.us']))['g@g.us']).toEqual({ '1@s.whatsapp.net': true });
    expect((await k.get('app-state-sync-version', ['regular'])).regular.indexValueMap['aGVsbG8gd29ybGQh'].valueMac).toEqual(Buffer.alloc(32, 2));
    expect(await k.get('lid-mapping', ['123', '456_reverse', 'x'])).toEqual({ '123': '456@lid', '456_reverse': '123' });
    expect((await k.get('device-list', ['123']))['123']).toEqual(['0', '12']);
    expect((await k.get('tctoken', ['123@s.whatsapp.net']))['123@s.whatsapp.net']).toEqual({ token: Buffer.from([1, 2, 3]), timestamp: '1700000000' });
    expect((await k.get('identity-key', ['123.0']))['123.0']).toEqual(Buffer.alloc(33, 5));

    await k.set({ 'lid-mapping': { '123': null } });
    expect(await k.get('lid-mapping', ['123', '456_reverse'])).toEqual({ '456_reverse': '123' });
    await k.clear!();
    expect(await k.get('identity-key', ['123.0'])).toEqual({});
  });

  it('carries a libsignal session through the store: a pkmsg consumes a pre-key, and the session survives a reopen', async () => {
    const { vault } = setup();
    const aliceRef = { workspaceId: 'w', sessionId: 'alice' };
    const bobRef = { workspaceId: 'w', sessionId: 'bob' };
    const alice = await reopen(vault(), aliceRef);
    const bob = await reopen(vault(), bobRef);
    const bobPreKeys = await uploadPreKeys(bob, 5);
    const repo = (a: SessionAuth) => DEFAULT_CONNECTION_CONFIG.makeSignalRepository({ creds: a.state.creds, keys: withTx(a.state) }, log as never, async () => undefined);
    const aliceRepo = repo(alice);
    const preKeyId = 3;
    await aliceRepo.injectE2ESession({
      jid: '222@s.whatsapp.net',
      session: {
        registrationId: bob.state.creds.registrationId,
        identityKey: generateSignalPubKey(bob.state.creds.signedIdentityKey.public),
        signedPreKey: {
          keyId: bob.state.creds.signedPreKey.keyId,
          publicKey: generateSignalPubKey(bob.state.creds.signedPreKey.keyPair.public),
          signature: bob.state.creds.signedPreKey.signature,
        },
        preKey: { keyId: preKeyId, publicKey: generateSignalPubKey(bobPreKeys[preKeyId].public) },
      },
    });
    const first = await aliceRepo.encryptMessage({ jid: '222@s.whatsapp.net', data: Buffer.from('hello bob') });
    expect(first.type).toBe('pkmsg');
    const bobRepo = repo(bob);
    const plain = await bobRepo.decryptMessage({ jid: '111@s.whatsapp.net', type: first.type, ciphertext: first.ciphertext });
    expect(Buffer.from(plain).toString()).toBe('hello bob');
    expect(await bob.state.keys.get('pre-key', [String(preKeyId)])).toEqual({});
    await bob.flush();

    // bob restarts from the stored state only
    const bob2 = await reopen(vault(), bobRef);
    expect(await bob2.state.keys.get('pre-key', [String(preKeyId)])).toEqual({});
    expect(Object.keys(await bob2.state.keys.get('pre-key', ['1', '2', '4', '5']))).toHaveLength(4);
    const bobRepo2 = repo(bob2);
    const reply = await bobRepo2.encryptMessage({ jid: '111@s.whatsapp.net', data: Buffer.from('hi alice') });
    expect(reply.type).toBe('msg');
    expect(Buffer.from(await aliceRepo.decryptMessage({ jid: '222@s.whatsapp.net', type: reply.type, ciphertext: reply.ciphertext })).toString()).toBe('hi alice');
    const second = await aliceRepo.encryptMessage({ jid: '222@s.whatsapp.net', data: Buffer.from('again') });
    expect(second.type).toBe('msg');
    expect(Buffer.from(await bobRepo2.decryptMessage({ jid: '111@s.whatsapp.net', type: second.type, ciphertext: second.ciphertext })).toString()).toBe('again');

    // a long conversation: the record stays bounded (dead receiving chains pruned) and keeps working
    let last = second;
    for (let round = 0; round < 30; round++) {
      const [from, to, toJid] = round % 2 === 0 ? [bobRepo2, aliceRepo, '222@s.whatsapp.net'] : [aliceRepo, bobRepo2, '111@s.whatsapp.net'];
      const fromJid = toJid === '111@s.whatsapp.net' ? '222@s.whatsapp.net' : '111@s.whatsapp.net';
      last = await from.encryptMessage({ jid: fromJid, data: Buffer.from(`m${round}`) });
      expect(Buffer.from(await to.decryptMessage({ jid: toJid, type: last.type, ciphertext: last.ciphertext })).toString()).toBe(`m${round}`);
    }
    const record = (await bob2.state.keys.get('session', ['111.0']))['111.0'] as unknown as { _sessions: Record<string, { _chains: object }> };
    const chains = Object.values(record._sessions)[0]._chains;
    expect(Object.keys(chains).length).toBeLessThanOrEqual(3);
    // the last round went alice → bob; its redelivery is refused and leaves the session intact
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined); // libsignal logs each attempt
    await expect(bobRepo2.decryptMessage({ jid: '111@s.whatsapp.net', type: last.type, ciphertext: last.ciphertext })).rejects.toThrow(/No matching sessions/);
    quiet.mockRestore();
    const after = await bobRepo2.encryptMessage({ jid: '111@s.whatsapp.net', data: Buffer.from('still fine') });
    expect(Buffer.from(await aliceRepo.decryptMessage({ jid: '222@s.whatsapp.net', type: after.type, ciphertext: after.ciphertext })).toString()).toBe('still fine');
  });

  it('a reconnect before the write-behind flushed starts from the latest state, not the stored one', async () => {
    const { vault, store } = setup();
    const ref = { workspaceId: 'w', sessionId: 'reconnect' };
    const v = vault();
    const first = await openSessionAuth(v.forSession(ref), log);
    await first.flush();
    await first.state.keys.set({ 'identity-key': { '9.0': Buffer.alloc(33, 9) } });
    first.state.creds.accountSyncCounter = 4;
    first.credsChanged();
    const second = await openSessionAuth(v.forSession(ref), log);
    expect(second.state.creds.accountSyncCounter).toBe(4);
    expect(await second.state.keys.get('identity-key', ['9.0'])).toEqual({ '9.0': Buffer.alloc(33, 9) });
    await second.flush();
    const third = await reopen(vault(), ref);
    expect(third.state.creds.accountSyncCounter).toBe(4);
    expect((await store.read(ref))!.length).toBeGreaterThan(0);
  });

  it('reports registration only once an account is linked', async () => {
    const { vault } = setup();
    const auth = await reopen(vault(), { workspaceId: 'w', sessionId: 'reg' });
    auth.state.creds.me = { id: '6281234567890@s.whatsapp.net', name: '~' };
    expect(auth.isRegistered()).toBe(false);
    auth.state.creds.account = { details: Buffer.alloc(10), accountSignatureKey: Buffer.alloc(32), accountSignature: Buffer.alloc(64), deviceSignature: Buffer.alloc(64) };
    expect(auth.isRegistered()).toBe(true);
  });

  it('refuses stored credentials that lack keys instead of inventing new ones', async () => {
    const { store, keyring, vault } = setup();
    const ref = { workspaceId: 'w', sessionId: 'broken' };
    const { encodeAuthState } = await import('../../state-store/index.js');
    const { envelope } = await encodeAuthState({ creds: { registrationId: 1 }, preKeys: { firstId: 0, privateKeys: Buffer.alloc(0) }, keys: new Map() }, ref, keyring);
    await store.write(ref, envelope);
    await expect(reopen(vault(), ref)).rejects.toThrow(/lack noiseKey/);
  });
});
