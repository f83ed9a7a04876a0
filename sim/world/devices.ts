import { unixTimestampSeconds } from 'baileys';
import type { WorldDatabase } from './database.js';

/** A linked companion device (id >= 1) of an account, as registered at pairing. */
export interface Device {
  phone: string;
  deviceId: number;
  noisePub: Buffer;
  identityPub: Buffer;
  registrationId: number;
  signedPreKey: { keyId: number; publicKey: Buffer; signature: Buffer };
  keyIndex: number;
  /** encoded ADVSignedDeviceIdentity (with account signature key and device signature) */
  signedIdentity: Buffer;
  platform: string | undefined;
  removed: boolean;
  logins: number;
  /** the device confirmed the history-sync notification from its phone */
  historySynced: boolean;
  createdAt: number;
}

export type NewDevice = Omit<Device, 'removed' | 'logins' | 'historySynced' | 'createdAt'>;

interface DeviceRow {
  phone: string;
  device_id: number;
  noise_pub: Buffer;
  identity_pub: Buffer;
  registration_id: number;
  signed_prekey_id: number;
  signed_prekey_pub: Buffer;
  signed_prekey_sig: Buffer;
  key_index: number;
  signed_identity: Buffer;
  platform: string | null;
  removed: number;
  logins: number;
  history_synced: number;
  created_at: number;
}

export class Devices {
  private readonly one;
  private readonly active;
  private readonly insertRow;
  private readonly removeOne;
  private readonly removeAll;
  private readonly countLogin;
  private readonly setSignedPreKey;
  private readonly setHistorySynced;

  constructor(db: WorldDatabase) {
    this.one = db.prepare<[string, number], DeviceRow>('SELECT * FROM devices WHERE phone = ? AND device_id = ?');
    this.active = db.prepare<[string], DeviceRow>('SELECT * FROM devices WHERE phone = ? AND removed = 0 ORDER BY device_id');
    this.insertRow = db.prepare(`INSERT INTO devices (phone, device_id, noise_pub, identity_pub, registration_id,
      signed_prekey_id, signed_prekey_pub, signed_prekey_sig, key_index, signed_identity, platform, created_at)
      VALUES (@phone, @device_id, @noise_pub, @identity_pub, @registration_id, @signed_prekey_id, @signed_prekey_pub,
      @signed_prekey_sig, @key_index, @signed_identity, @platform, @created_at)`);
    this.removeOne = db.prepare('UPDATE devices SET removed = 1 WHERE phone = ? AND device_id = ? AND removed = 0');
    this.removeAll = db.prepare<[string], { device_id: number }>(
      'UPDATE devices SET removed = 1 WHERE phone = ? AND removed = 0 RETURNING device_id',
    );
    this.countLogin = db.prepare<[string, number], { logins: number }>(
      'UPDATE devices SET logins = logins + 1 WHERE phone = ? AND device_id = ? RETURNING logins',
    );
    this.setSignedPreKey = db.prepare(
      'UPDATE devices SET signed_prekey_id = ?, signed_prekey_pub = ?, signed_prekey_sig = ? WHERE phone = ? AND device_id = ?',
    );
    this.setHistorySynced = db.prepare('UPDATE devices SET history_synced = 1 WHERE phone = ? AND device_id = ?');
  }

  find(phone: string, deviceId: number): Device | undefined {
    const row = this.one.get(phone, deviceId);
    return row && toDevice(row);
  }

  /** The account's devices that are still linked, by id. */
  listActive(phone: string): Device[] {
    return this.active.all(phone).map(toDevice);
  }

  insert(device: NewDevice): void {
    this.insertRow.run({
      phone: device.phone,
      device_id: device.deviceId,
      noise_pub: device.noisePub,
      identity_pub: device.identityPub,
      registration_id: device.registrationId,
      signed_prekey_id: device.signedPreKey.keyId,
      signed_prekey_pub: device.signedPreKey.publicKey,
      signed_prekey_sig: device.signedPreKey.signature,
      key_index: device.keyIndex,
      signed_identity: device.signedIdentity,
      platform: device.platform ?? null,
      created_at: unixTimestampSeconds(),
    });
  }

  /** Unlinks one device; returns false when it was not linked. */
  remove(phone: string, deviceId: number): boolean {
    return this.removeOne.run(phone, deviceId).changes > 0;
  }

  /** Unlinks every device of an account; returns the ids that were linked. */
  removeAllOf(phone: string): number[] {
    return this.removeAll.all(phone).map((r) => r.device_id);
  }

  /** Counts a successful login; returns how many the device has had, this one included. */
  recordLogin(phone: string, deviceId: number): number {
    return this.countLogin.get(phone, deviceId)?.logins ?? 0;
  }

  markHistorySynced(phone: string, deviceId: number): void {
    this.setHistorySynced.run(phone, deviceId);
  }

  updateSignedPreKey(phone: string, deviceId: number, key: Device['signedPreKey']): void {
    this.setSignedPreKey.run(key.keyId, key.publicKey, key.signature, phone, deviceId);
  }
}

function toDevice(row: DeviceRow): Device {
  return {
    phone: row.phone,
    deviceId: row.device_id,
    noisePub: row.noise_pub,
    identityPub: row.identity_pub,
    registrationId: row.registration_id,
    signedPreKey: { keyId: row.signed_prekey_id, publicKey: row.signed_prekey_pub, signature: row.signed_prekey_sig },
    keyIndex: row.key_index,
    signedIdentity: row.signed_identity,
    platform: row.platform ?? undefined,
    removed: row.removed === 1,
    logins: row.logins,
    historySynced: row.history_synced === 1,
    createdAt: row.created_at,
  };
}
