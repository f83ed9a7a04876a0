import { randomBytes } from 'node:crypto';
import { Curve } from 'baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import type { CloseReason, EngineListener } from '../../src/sessions/engine.js';
import { createBaileysEngine } from '../../src/sessions/baileys/engine.js';
import { Keyring, MemoryStateStore, StateVault } from '../../src/state-store/index.js';
import { startTestSim, type TestSim } from '../support/sim.js';

/**
 * The engine checks the server's certificate chain for real (stock Baileys accepts any
 * well-formed signature): a server whose chain is not signed by the trusted root never gets as
 * far as a QR.
 */
describe('server certificate trust (Baileys engine against the simulator)', () => {
  let sim: TestSim;
  let vault: StateVault;

  beforeAll(async () => {
    sim = await startTestSim();
    vault = new StateVault({ store: new MemoryStateStore(), keyring: new Keyring(randomBytes(32), []), logger: silentLogger, flushDelayMs: 1 });
  });
  afterAll(async () => {
    await vault?.close();
    await sim?.close();
  });

  /** Connects a new session; resolves with its first QR or its first close, whichever comes first. */
  async function firstOutcome(rootPublicKey: Buffer, sessionId: string): Promise<{ qr?: string; close?: CloseReason }> {
    const engine = createBaileysEngine({ waWebSocketUrl: sim.sim.wsUrl, rootPublicKey, queryTimeoutMs: 5_000 });
    let settle!: (v: { qr?: string; close?: CloseReason }) => void;
    const outcome = new Promise<{ qr?: string; close?: CloseReason }>((r) => (settle = r));
    const listener: EngineListener = {
      qr: (qr) => settle({ qr }),
      close: (close) => settle({ close }),
      paired() {},
      open() {},
      message() {},
      receipt() {},
    };
    const conn = await engine.connect({ sessionId, workspaceId: 'default', state: vault.forSession({ workspaceId: 'default', sessionId }), logger: silentLogger, listener });
    try {
      return await outcome;
    } finally {
      await conn.end().catch(() => undefined);
      await engine.close();
    }
  }

  it('refuses a server whose certificate is not signed by the trusted root', async () => {
    const before = (await sim.admin('GET', '/admin/stats')).body;
    const result = await firstOutcome(Buffer.from(Curve.generateKeyPair().public), 'untrusted');
    expect(result.qr).toBeUndefined();
    expect(result.close, JSON.stringify(result.close)).toMatchObject({ kind: 'transient', message: expect.stringMatching(/certificate signature invalid/) });
    // the client gave up in the middle of the handshake: the simulator never saw it finish
    expect((await sim.admin('GET', '/admin/stats')).body.handshakes).toBe(before.handshakes);
  });

  it('control: the same connection with the simulator’s root key shows a QR', async () => {
    const before = (await sim.admin('GET', '/admin/stats')).body;
    const result = await firstOutcome(sim.sim.rootPublicKey, 'trusted');
    expect(result.close).toBeUndefined();
    expect(result.qr).toMatch(/^https:\/\/wa\.me\/settings\/linked_devices#/);
    expect((await sim.admin('GET', '/admin/stats')).body.handshakes).toBe(before.handshakes + 1);
  });
});
