import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import { Keyring, MemoryStateStore, StateVault } from './index.js';

const snap = (n: number) => () => ({ creds: { n }, preKeys: { firstId: 1, privateKeys: new Uint8Array(0) }, keys: new Map() });

describe('vault handle discard (a node lost the lease)', () => {
  it('drops unsaved changes, ignores late ones until the next load, and then reads what the store has', async () => {
    const store = new MemoryStateStore();
    const ref = { workspaceId: 'w', sessionId: 's' };
    const keyring = new Keyring(randomBytes(32), []);
    const vault = new StateVault({ store, keyring, logger: silentLogger, flushDelayMs: 60_000 });
    const h = vault.forSession(ref);
    h.markDirty(snap(1));
    await h.flush();
    h.markDirty(snap(2)); // unsaved when the lease is lost
    h.discard();
    h.markDirty(snap(3)); // a late change from the abandoned connection
    expect(vault.backlog().pending).toBe(0);
    await h.flush();
    // what another node wrote meanwhile is what this node reads when it gets the session back
    const other = new StateVault({ store, keyring, logger: silentLogger });
    other.forSession(ref).markDirty(snap(7));
    await other.flushAll();
    expect((await h.load())?.creds).toEqual({ n: 7 });
    h.markDirty(snap(8)); // after a load it records changes again
    await h.flush();
    expect((await other.forSession(ref).load())?.creds).toEqual({ n: 8 });
    await vault.close();
    await other.close();
  });
});
