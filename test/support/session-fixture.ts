import { randomBytes } from 'node:crypto';
import { connectDatabase, migrate, type Db } from '../../src/db/index.js';
import { LocalEventBus } from '../../src/core/local-event-bus.js';
import type { AnyEvent } from '../../src/core/events.js';
import { silentLogger } from '../../src/core/logger.js';
import { systemClock } from '../../src/core/clock.js';
import { Keyring, MemoryStateStore, StateVault } from '../../src/state-store/index.js';
import { SessionRepo, SessionService, type SessionServiceDeps } from '../../src/sessions/index.js';
import { FakeEngine } from './fake-engine.js';

export interface SessionFixture {
  db: Db;
  engine: FakeEngine;
  bus: LocalEventBus;
  events: AnyEvent[];
  store: MemoryStateStore;
  vault: StateVault;
  sessions: SessionService;
  close(): Promise<void>;
}

/** A session service on in-memory SQLite, a fake engine and a memory state store, workspace `w`. */
export async function sessionFixture(runtime?: SessionServiceDeps['runtime']): Promise<SessionFixture> {
  const db = connectDatabase({ sqlitePath: ':memory:' });
  await migrate(db);
  await db.db.insertInto('workspaces').values({ id: 'w', name: 'w', created_at: 1 }).execute();
  const engine = new FakeEngine();
  const bus = new LocalEventBus();
  const events: AnyEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const store = new MemoryStateStore();
  const vault = new StateVault({ store, keyring: new Keyring(randomBytes(32), []), logger: silentLogger, flushDelayMs: 1 });
  const sessions = new SessionService({ repo: new SessionRepo(db.db), engine, vault, events: bus, logger: silentLogger, clock: systemClock, nodeId: 'n1', runtime });
  return {
    db,
    engine,
    bus,
    events,
    store,
    vault,
    sessions,
    async close() {
      await sessions.shutdown();
      await vault.close();
      await db.close();
    },
  };
}
