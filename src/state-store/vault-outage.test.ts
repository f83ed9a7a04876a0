import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import { startTestS3, type TestS3 } from '../../test/support/s3-server.js';
import type { AuthSnapshot } from './auth-snapshot.js';
import { decodeAuthState } from './codec.js';
import { Keyring } from './keyring.js';
import { S3StateStore } from './s3-store.js';
import { StateVault, type WriteEvent } from './state-vault.js';

const snap = (n: number): AuthSnapshot => ({
  creds: { n },
  preKeys: { firstId: 1, privateKeys: Buffer.alloc(64, n) },
  keys: new Map(),
});

describe('StateVault over a real S3 server that goes away and comes back', () => {
  let s3: TestS3 | undefined;
  afterEach(async () => {
    await s3?.destroy();
    s3 = undefined;
  });

  it('keeps changes made during the outage and writes them once the server is back', async () => {
    s3 = await startTestS3();
    const store = new S3StateStore({
      bucket: s3.bucket,
      prefix: 'outage',
      endpoint: s3.endpoint,
      region: 'us-east-1',
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      forcePathStyle: true,
      requestTimeoutMs: 2_000,
    });
    const keyring = Keyring.generate();
    const events: WriteEvent[] = [];
    const waiters: (() => void)[] = [];
    const vault = new StateVault({
      store,
      keyring,
      logger: silentLogger,
      flushDelayMs: 5,
      retry: { baseMs: 50, maxMs: 200 },
      onWrite: (e) => {
        events.push(e);
        waiters.splice(0).forEach((w) => w());
      },
    });
    const next = (outcome: WriteEvent['outcome']) =>
      new Promise<void>((resolve) => {
        const seen = events.length;
        const check = () => (events.slice(seen).some((e) => e.outcome === outcome) ? resolve() : waiters.push(check));
        waiters.push(check);
      });
    const refs = [1, 2, 3].map((i) => ({ workspaceId: 'w', sessionId: `s${i}` }));
    const handles = refs.map((r) => vault.forSession(r));

    handles.forEach((h, i) => h.markDirty(() => snap(10 + i)));
    await vault.idle();

    await s3.stop();
    const failed = next('failed');
    handles.forEach((h, i) => h.markDirty(() => snap(20 + i)));
    await failed;
    expect(vault.backlog()).toMatchObject({ pending: 3 });
    expect(vault.backlog().failing).toBeGreaterThanOrEqual(1);
    expect(vault.backlog().lastError).toBeTruthy();
    handles.forEach((h, i) => h.markDirty(() => snap(30 + i))); // the latest state wins

    await s3.start();
    await vault.idle();
    expect(vault.backlog()).toEqual({ pending: 0, failing: 0, oldestPendingMs: null, lastError: null, spilled: 0 });
    for (const [i, r] of refs.entries()) {
      const env = await store.read(r);
      expect((await decodeAuthState(env!, r, keyring)).snapshot.creds).toEqual({ n: 30 + i });
    }
    await vault.close();
    await store.close();
  });
});
