import type { WorldDatabase } from './database.js';

/** libsignal session records of the simulated phones, as JSON, by remote address. */
export class SignalSessions {
  private readonly loadRecord;
  private readonly storeRecord;
  private readonly deleteRecord;

  constructor(db: WorldDatabase) {
    this.loadRecord = db.prepare<[string, string], { record: string }>('SELECT record FROM signal_sessions WHERE phone = ? AND address = ?');
    this.storeRecord = db.prepare('INSERT OR REPLACE INTO signal_sessions (phone, address, record) VALUES (?, ?, ?)');
    this.deleteRecord = db.prepare('DELETE FROM signal_sessions WHERE phone = ? AND address = ?');
  }

  load(phone: string, address: string): unknown {
    const row = this.loadRecord.get(phone, address);
    return row ? JSON.parse(row.record) : undefined;
  }

  store(phone: string, address: string, record: unknown): void {
    this.storeRecord.run(phone, address, JSON.stringify(record));
  }

  delete(phone: string, address: string): void {
    this.deleteRecord.run(phone, address);
  }
}
