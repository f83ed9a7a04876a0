import type { WorldDatabase } from './database.js';

export interface PublicPreKey {
  keyId: number;
  publicKey: Buffer;
}

/** One-time prekeys uploaded by companion devices. Each is handed out once, then forgotten. */
export class DevicePreKeys {
  private readonly insertKey;
  private readonly countKeys;
  private readonly takeKey;
  private readonly clearKeys;

  constructor(private readonly db: WorldDatabase) {
    this.insertKey = db.prepare('INSERT OR REPLACE INTO device_prekeys (phone, device_id, key_id, pub) VALUES (?, ?, ?, ?)');
    this.countKeys = db.prepare<[string, number], { n: number }>(
      'SELECT count(*) AS n FROM device_prekeys WHERE phone = ? AND device_id = ?',
    );
    this.takeKey = db.prepare<[string, number, string, number], { key_id: number; pub: Buffer }>(
      `DELETE FROM device_prekeys WHERE phone = ? AND device_id = ? AND key_id =
        (SELECT key_id FROM device_prekeys WHERE phone = ? AND device_id = ? ORDER BY key_id LIMIT 1)
       RETURNING key_id, pub`,
    );
    this.clearKeys = db.prepare('DELETE FROM device_prekeys WHERE phone = ? AND device_id = ?');
  }

  add(phone: string, deviceId: number, keys: PublicPreKey[]): void {
    this.db.transaction(() => {
      for (const key of keys) this.insertKey.run(phone, deviceId, key.keyId, key.publicKey);
    })();
  }

  count(phone: string, deviceId: number): number {
    return this.countKeys.get(phone, deviceId)?.n ?? 0;
  }

  /** Removes and returns the oldest key, or undefined when the device has none left. */
  take(phone: string, deviceId: number): PublicPreKey | undefined {
    const row = this.takeKey.get(phone, deviceId, phone, deviceId);
    return row && { keyId: row.key_id, publicKey: row.pub };
  }

  clear(phone: string, deviceId: number): void {
    this.clearKeys.run(phone, deviceId);
  }
}
