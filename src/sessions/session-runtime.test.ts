import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnyEvent } from '../core/events.js';
import type { MemoryStateStore, StateVault } from '../state-store/index.js';
import type { SessionService } from './index.js';
import type { FakeEngine } from '../../test/support/fake-engine.js';
import { sessionFixture, type SessionFixture } from '../../test/support/session-fixture.js';

describe('session runtime (fake engine)', () => {
  let f: SessionFixture;
  let engine: FakeEngine;
  let sessions: SessionService;
  let store: MemoryStateStore;
  let vault: StateVault;
  let events: AnyEvent[];

  beforeEach(async () => {
    f = await sessionFixture({ backoff: { baseMs: 5, capMs: 20, minMs: 1 }, maxQrRounds: 2 });
    ({ engine, sessions, store, vault, events } = f);
  });
  afterEach(() => f.close());

  const statuses = (id: string) => events.filter((e) => e.type === 'session.status' && e.sessionId === id).map((e) => (e.data as { status: string }).status);

  it('reconnects after transient closes with backoff, never giving up, and resets on a stable open', async () => {
    const s = await sessions.create('w', {});
    let c = await engine.nextConnection(1);
    c.open();
    for (let i = 2; i <= 5; i++) {
      c.listener.close({ kind: 'transient', code: 428, message: 'Connection Terminated' });
      c = await engine.nextConnection(i);
    }
    c.open();
    await sessions.runtime(s.id)!.settled();
    expect(statuses(s.id)).toEqual(['starting', 'open', 'reconnecting', 'open']);
    const row = await sessions.get('w', s.id);
    expect(row).toMatchObject({ status: 'open', node: 'n1', desired: 'running', lastError: null });
  });

  it('on logged_out: final status, state deleted, nothing reconnects; start begins a fresh pairing', async () => {
    const s = await sessions.create('w', {});
    const c = await engine.nextConnection(1);
    c.open();
    const handle = vault.forSession({ workspaceId: 'w', sessionId: s.id });
    handle.markDirty(() => ({ creds: { x: 1 }, preKeys: { firstId: 1, privateKeys: new Uint8Array(0) }, keys: new Map() }));
    await handle.flush();
    expect(await store.read({ workspaceId: 'w', sessionId: s.id })).not.toBeNull();
    c.listener.close({ kind: 'logged_out', code: 401, message: 'logged out' });
    await sessions.runtime(s.id)!.settled();
    await vault.idle?.();
    expect(await store.read({ workspaceId: 'w', sessionId: s.id })).toBeNull();
    expect(await sessions.get('w', s.id)).toMatchObject({ status: 'logged_out', desired: 'stopped', node: null });
    expect(engine.connections.length).toBe(1);
    await sessions.start('w', s.id);
    expect(engine.connections.length).toBe(2);
  });

  it('gives up after the QR rounds and stops; a replaced connection fails without reconnecting', async () => {
    const s = await sessions.create('w', {});
    let c = await engine.nextConnection(1);
    c.listener.qr('qr-1', new Date(Date.now() + 60_000));
    c.listener.close({ kind: 'qr_timeout', code: 408, message: 'no QR code was scanned in time' });
    c = await engine.nextConnection(2);
    c.listener.close({ kind: 'qr_timeout', code: 408, message: 'no QR code was scanned in time' });
    await sessions.runtime(s.id)!.settled();
    expect(await sessions.get('w', s.id)).toMatchObject({ status: 'stopped', desired: 'stopped', lastError: 'no QR code was scanned in time' });
    expect(engine.connections.length).toBe(2);

    const s2 = await sessions.create('w', {});
    const c2 = await engine.nextConnection(3);
    c2.open();
    c2.listener.close({ kind: 'replaced', code: 440, message: 'replaced' });
    await sessions.runtime(s2.id)!.settled();
    expect((await sessions.get('w', s2.id)).status).toBe('failed');
    expect(engine.connections.length).toBe(3);
  });

  it('ignores events from a connection it has already replaced', async () => {
    const s = await sessions.create('w', {});
    const c1 = await engine.nextConnection(1);
    const rt = sessions.runtime(s.id)!;
    await sessions.stop('w', s.id);
    c1.open(); // a late event from the old socket
    await rt.settled();
    expect(rt.currentStatus).toBe('stopped');
    expect((await sessions.get('w', s.id)).status).toBe('stopped');
    expect(c1.ended).toBe(true);
  });
});
