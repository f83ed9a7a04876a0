import { openWorldDatabase, type WorldDatabase } from './database.js';
import { DevicePreKeys } from './device-prekeys.js';
import { Devices } from './devices.js';
import { DeliveryQueue } from './delivery-queue.js';
import { Inbox } from './inbox.js';
import { Outbox } from './outbox.js';
import { PhonePreKeys } from './phone-prekeys.js';
import { SignalSessions } from './signal-sessions.js';
import { Users } from './users.js';

/** The persisted world: every repository over one SQLite database. */
export class World {
  readonly users: Users;
  readonly devices: Devices;
  readonly devicePreKeys: DevicePreKeys;
  readonly deliveryQueue: DeliveryQueue;
  readonly phonePreKeys: PhonePreKeys;
  readonly signalSessions: SignalSessions;
  readonly inbox: Inbox;
  readonly outbox: Outbox;

  constructor(readonly db: WorldDatabase) {
    this.users = new Users(db);
    this.devices = new Devices(db);
    this.devicePreKeys = new DevicePreKeys(db);
    this.deliveryQueue = new DeliveryQueue(db);
    this.phonePreKeys = new PhonePreKeys(db, this.users);
    this.signalSessions = new SignalSessions(db);
    this.inbox = new Inbox(db);
    this.outbox = new Outbox(db);
  }

  static open(dataDir: string): World {
    return new World(openWorldDatabase(dataDir));
  }

  /** Runs `fn` in one SQLite transaction. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    this.db.close();
  }
}
