import { randomBytes, randomInt } from 'node:crypto';
import { unixTimestampSeconds } from 'baileys';
import type { WorldDatabase } from './database.js';
import { generateKeyPair, generateSignedPreKey, type KeyPair, type SignedPreKey } from './key-pair.js';

/**
 * A phone number in the simulated world. Its phone (device 0) is a simulated Signal party; an
 * account is a user that linked companion devices, a contact is every other number.
 */
export interface User {
  phone: string;
  lid: string;
  pushName: string;
  /** device 0's identity key, which is also the account's ADV signing key */
  identity: KeyPair;
  registrationId: number;
  signedPreKey: SignedPreKey;
  isAccount: boolean;
  advRawId: number;
  createdAt: number;
}

interface UserRow {
  phone: string;
  lid: string;
  push_name: string;
  identity_pub: Buffer;
  identity_priv: Buffer;
  registration_id: number;
  signed_prekey_id: number;
  signed_prekey_pub: Buffer;
  signed_prekey_priv: Buffer;
  signed_prekey_sig: Buffer;
  is_account: number;
  adv_raw_id: number;
  created_at: number;
}

export class Users {
  private readonly byPhone;
  private readonly byLid;
  private readonly accounts;
  private readonly insertRow;
  private readonly setAccount;
  private readonly bumpDevice;
  private readonly bumpPrekeys;

  constructor(private readonly db: WorldDatabase) {
    this.byPhone = db.prepare<[string], UserRow>('SELECT * FROM users WHERE phone = ?');
    this.byLid = db.prepare<[string], UserRow>('SELECT * FROM users WHERE lid = ?');
    this.accounts = db.prepare<[], { phone: string; lid: string; push_name: string }>(
      'SELECT phone, lid, push_name FROM users WHERE is_account = 1 ORDER BY phone',
    );
    this.insertRow = db.prepare(`INSERT INTO users (phone, lid, push_name, identity_pub, identity_priv, registration_id,
      signed_prekey_id, signed_prekey_pub, signed_prekey_priv, signed_prekey_sig, adv_raw_id, created_at)
      VALUES (@phone, @lid, @push_name, @identity_pub, @identity_priv, @registration_id,
      @signed_prekey_id, @signed_prekey_pub, @signed_prekey_priv, @signed_prekey_sig, @adv_raw_id, @created_at)`);
    this.setAccount = db.prepare('UPDATE users SET is_account = 1, push_name = coalesce(?, push_name) WHERE phone = ?');
    this.bumpDevice = db.prepare<[string], { device_id: number; key_index: number }>(
      `UPDATE users SET next_device_id = next_device_id + 1, next_key_index = next_key_index + 1 WHERE phone = ?
       RETURNING next_device_id - 1 AS device_id, next_key_index - 1 AS key_index`,
    );
    this.bumpPrekeys = db.prepare<[{ count: number; phone: string }], { first: number }>(
      'UPDATE users SET next_prekey_id = next_prekey_id + @count WHERE phone = @phone RETURNING next_prekey_id - @count AS first',
    );
  }

  find(phone: string): User | undefined {
    const row = this.byPhone.get(phone);
    return row && toUser(row);
  }

  findByLid(lid: string): User | undefined {
    const row = this.byLid.get(lid);
    return row && toUser(row);
  }

  /**
   * The user a jid names: a phone number (created as a contact on first use when `create`) or a LID
   * (only known ones).
   */
  resolve(jid: { user: string; server: 's.whatsapp.net' | 'lid' }, create: boolean): User | undefined {
    if (jid.server === 'lid') return this.findByLid(jid.user);
    return create ? this.ensure(jid.user) : this.find(jid.user);
  }

  /** Every account, by phone number. */
  listAccounts(): { phone: string; lid: string; pushName: string }[] {
    return this.accounts.all().map((r) => ({ phone: r.phone, lid: r.lid, pushName: r.push_name }));
  }

  /** The user for `phone`, created as a contact (with fresh keys and a LID) on first use. */
  ensure(phone: string): User {
    const existing = this.find(phone);
    if (existing) return existing;
    const identity = generateKeyPair();
    const signedPreKey = generateSignedPreKey(identity, 1);
    const row: UserRow = {
      phone,
      lid: this.newLid(),
      push_name: `User ${phone.slice(-4)}`,
      identity_pub: identity.public,
      identity_priv: identity.private,
      registration_id: randomInt(1, 16380),
      signed_prekey_id: signedPreKey.keyId,
      signed_prekey_pub: signedPreKey.keyPair.public,
      signed_prekey_priv: signedPreKey.keyPair.private,
      signed_prekey_sig: signedPreKey.signature,
      is_account: 0,
      adv_raw_id: randomBytes(4).readUInt32BE() >>> 1,
      created_at: unixTimestampSeconds(),
    };
    this.insertRow.run(row);
    return toUser(row);
  }

  /** Makes `phone` an account (creating it when new); `pushName` replaces the current push name when given. */
  ensureAccount(phone: string, pushName?: string): User {
    return this.db.transaction(() => {
      this.ensure(phone);
      this.setAccount.run(pushName ?? null, phone);
      return this.find(phone) as User;
    })();
  }

  /** A random phone number that no user has yet. */
  newPhone(): string {
    for (;;) {
      const phone = `1555${randomInt(0, 10_000_000).toString().padStart(7, '0')}`;
      if (!this.byPhone.get(phone)) return phone;
    }
  }

  /** Reserves the next device id and key index of an account (never reused, even after removal). */
  allocateDevice(phone: string): { deviceId: number; keyIndex: number } {
    const row = this.bumpDevice.get(phone);
    if (!row) throw new Error(`no user ${phone}`);
    return { deviceId: row.device_id, keyIndex: row.key_index };
  }

  /** Reserves `count` consecutive one-time prekey ids for the phone of `phone`; returns the first. */
  allocatePrekeyIds(phone: string, count: number): number {
    const row = this.bumpPrekeys.get({ count, phone });
    if (!row) throw new Error(`no user ${phone}`);
    return row.first;
  }

  private newLid(): string {
    for (;;) {
      const lid = `${randomInt(1, 10)}${randomInt(0, 1e7).toString().padStart(7, '0')}${randomInt(0, 1e7).toString().padStart(7, '0')}`;
      if (!this.byLid.get(lid)) return lid;
    }
  }
}

function toUser(row: UserRow): User {
  return {
    phone: row.phone,
    lid: row.lid,
    pushName: row.push_name,
    identity: { public: row.identity_pub, private: row.identity_priv },
    registrationId: row.registration_id,
    signedPreKey: {
      keyId: row.signed_prekey_id,
      keyPair: { public: row.signed_prekey_pub, private: row.signed_prekey_priv },
      signature: row.signed_prekey_sig,
    },
    isAccount: row.is_account === 1,
    advRawId: row.adv_raw_id,
    createdAt: row.created_at,
  };
}
