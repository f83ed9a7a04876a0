import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnyEvent } from '../core/events.js';
import { type MemoryStateStore, StateDecodeError, type StateVault } from '../state-store/index.js';
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
    f = await sessionFixture({ backoff: { baseMs: 5, capMs: 20, minMs: 1 }, maxQrRounds: 2, unlinkWaitMs: 200 });
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

  /** A session paired and open on connection 1, with saved state. */
  async function openWithSavedState() {
    const s = await sessions.create('w', {});
    const c = await engine.nextConnection(1);
    c.open();
    const handle = vault.forSession({ workspaceId: 'w', sessionId: s.id });
    handle.markDirty(() => ({ creds: { x: 1 }, preKeys: { firstId: 1, privateKeys: new Uint8Array(0) }, keys: new Map() }));
    await handle.flush();
    return { s, c };
  }

  it('on logged_out: final status, state deleted, nothing reconnects; start begins a fresh pairing', async () => {
    const { s, c } = await openWithSavedState();
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

  /** A session paired and open on connection 1, with saved state, then stopped. */
  async function linkedAndStopped() {
    const { s, c } = await openWithSavedState();
    await sessions.runtime(s.id)!.settled();
    await sessions.stop('w', s.id);
    expect(c.ended).toBe(true);
    return s;
  }

  it('logout of a linked session that is not connected connects briefly to unlink it, then forgets it', async () => {
    const s = await linkedAndStopped();
    const pending = sessions.logout('w', s.id);
    const brief = await engine.nextConnection(2);
    brief.open();
    const view = await pending;
    expect(brief.loggedOut).toBe(true);
    expect(brief.ended).toBe(true);
    expect(view).toMatchObject({ status: 'logged_out', desired: 'stopped' });
    await vault.idle?.();
    expect(await store.read({ workspaceId: 'w', sessionId: s.id })).toBeNull();
    expect(engine.connections.length).toBe(2);
  });

  it('logout forgets the device locally when WhatsApp cannot be reached in time', async () => {
    const s = await linkedAndStopped();
    const t0 = performance.now();
    const view = await sessions.logout('w', s.id); // connection 2 never opens
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);
    expect(engine.connections[1].loggedOut).toBe(false);
    expect(engine.connections[1].ended).toBe(true);
    expect(view).toMatchObject({ status: 'logged_out' });
    await vault.idle?.();
    expect(await store.read({ workspaceId: 'w', sessionId: s.id })).toBeNull();
  });

  it('logout of a session that was never linked does not connect', async () => {
    const s = await sessions.create('w', {});
    const c = await engine.nextConnection(1);
    c.listener.qr('qr-1', new Date(Date.now() + 60_000));
    await sessions.runtime(s.id)!.settled();
    expect(await sessions.logout('w', s.id)).toMatchObject({ status: 'logged_out' });
    expect(engine.connections.length).toBe(1);
    expect(c.ended).toBe(true);
  });

  it('delete of a linked, stopped session unlinks it first', async () => {
    const s = await linkedAndStopped();
    const pending = sessions.delete('w', s.id);
    const brief = await engine.nextConnection(2);
    brief.open();
    await pending;
    expect(brief.loggedOut).toBe(true);
    await expect(sessions.get('w', s.id)).rejects.toMatchObject({ code: 'session_not_found' });
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

  it('a connect that fails because the state cannot be loaded is retried with backoff; unreadable state fails at once', async () => {
    const s = await sessions.create('w', {});
    await engine.nextConnection(1);
    await sessions.stop('w', s.id);
    // e.g. the S3 store is unreachable: twice, then it answers
    engine.connectErrors.push(new Error('connect ECONNREFUSED 127.0.0.1:9'), new Error('connect ECONNREFUSED 127.0.0.1:9'));
    await sessions.start('w', s.id);
    const c = await engine.nextConnection(2);
    expect(engine.attempts).toBe(4);
    expect((await sessions.get('w', s.id)).lastError).toBe('could not start: connect ECONNREFUSED 127.0.0.1:9');
    c.open();
    await sessions.runtime(s.id)!.settled();
    const sinceStart = statuses(s.id).slice(statuses(s.id).lastIndexOf('stopped') + 1);
    expect(sinceStart).toEqual(['starting', 'reconnecting', 'open']);
    expect((await sessions.get('w', s.id)).status).toBe('open');

    await sessions.stop('w', s.id);
    engine.connectErrors.push(new StateDecodeError('the envelope failed authentication'));
    await sessions.start('w', s.id);
    await sessions.runtime(s.id)!.settled();
    expect(await sessions.get('w', s.id)).toMatchObject({ status: 'failed', lastError: 'could not start: the envelope failed authentication' });
    expect(engine.attempts).toBe(5); // no retry
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
