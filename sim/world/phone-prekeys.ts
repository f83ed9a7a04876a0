import type { WorldDatabase } from './database.js';
import { generateKeyPair, type KeyPair } from './key-pair.js';
import type { Users } from './users.js';

/** Keys are generated in batches when fewer than this many are left to hand out. */
const LOW_WATER = 3;
const BATCH = 10;
/** Handed-out keys this many ids behind the newest are forgotten (their sessions were never started). */
const HANDED_OUT_KEPT = 500;

/**
 * One-time prekeys of the simulated phones (device 0). A key handed out in a bundle stays (its private
 * half is needed for the pkmsg that follows) until libsignal consumes it.
 */
export class PhonePreKeys {
  private readonly countAvailable;
  private readonly insertKey;
  private readonly nextAvailable;
  private readonly markHandedOut;
  private readonly loadKey;
  private readonly removeKey;
  private readonly pruneHandedOut;

  constructor(
    private readonly db: WorldDatabase,
    private readonly users: Users,
  ) {
    this.countAvailable = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM phone_prekeys WHERE phone = ? AND handed_out = 0');
    this.insertKey = db.prepare('INSERT INTO phone_prekeys (phone, key_id, pub, priv) VALUES (?, ?, ?, ?)');
    this.nextAvailable = db.prepare<[string], { key_id: number; pub: Buffer }>(
      'SELECT key_id, pub FROM phone_prekeys WHERE phone = ? AND handed_out = 0 ORDER BY key_id LIMIT 1',
    );
    this.markHandedOut = db.prepare('UPDATE phone_prekeys SET handed_out = 1 WHERE phone = ? AND key_id = ?');
    this.loadKey = db.prepare<[string, number], { pub: Buffer; priv: Buffer }>('SELECT pub, priv FROM phone_prekeys WHERE phone = ? AND key_id = ?');
    this.removeKey = db.prepare('DELETE FROM phone_prekeys WHERE phone = ? AND key_id = ?');
    this.pruneHandedOut = db.prepare('DELETE FROM phone_prekeys WHERE phone = ? AND handed_out = 1 AND key_id < ?');
  }

  /** Hands out the next unused key of `phone`'s phone, generating more when the stock runs low. */
  handOut(phone: string): { keyId: number; publicKey: Buffer } {
    return this.db.transaction(() => {
      if ((this.countAvailable.get(phone)?.n ?? 0) < LOW_WATER) this.generate(phone, BATCH);
      const row = this.nextAvailable.get(phone)!;
      this.markHandedOut.run(phone, row.key_id);
      if (row.key_id % 100 === 0) this.pruneHandedOut.run(phone, row.key_id - HANDED_OUT_KEPT);
      return { keyId: row.key_id, publicKey: row.pub };
    })();
  }

  load(phone: string, keyId: number): KeyPair | undefined {
    const row = this.loadKey.get(phone, keyId);
    return row && { public: row.pub, private: row.priv };
  }

  remove(phone: string, keyId: number): void {
    this.removeKey.run(phone, keyId);
  }

  private generate(phone: string, count: number): void {
    const first = this.users.allocatePrekeyIds(phone, count);
    for (let i = 0; i < count; i++) {
      const pair = generateKeyPair();
      this.insertKey.run(phone, first + i, pair.public, pair.private);
    }
  }
}
