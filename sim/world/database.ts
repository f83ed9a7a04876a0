import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export type WorldDatabase = Database.Database;

export const SCHEMA_VERSION = 1;

/**
 * The whole simulated world lives in one SQLite file (`<dataDir>/sim.db`, WAL mode), so a crash never
 * leaves a half-written state and a restarted simulator knows every account, device and session.
 */
const SCHEMA_V1 = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;

-- every phone number the world knows: accounts (have linked devices) and contacts (phone only)
CREATE TABLE users (
  phone TEXT PRIMARY KEY,
  lid TEXT NOT NULL UNIQUE,
  push_name TEXT NOT NULL,
  identity_pub BLOB NOT NULL,
  identity_priv BLOB NOT NULL,
  registration_id INTEGER NOT NULL,
  signed_prekey_id INTEGER NOT NULL,
  signed_prekey_pub BLOB NOT NULL,
  signed_prekey_priv BLOB NOT NULL,
  signed_prekey_sig BLOB NOT NULL,
  is_account INTEGER NOT NULL DEFAULT 0,
  adv_raw_id INTEGER NOT NULL,
  next_device_id INTEGER NOT NULL DEFAULT 1,
  next_key_index INTEGER NOT NULL DEFAULT 1,
  next_prekey_id INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- linked companion devices (device id >= 1)
CREATE TABLE devices (
  phone TEXT NOT NULL,
  device_id INTEGER NOT NULL,
  noise_pub BLOB NOT NULL,
  identity_pub BLOB NOT NULL,
  registration_id INTEGER NOT NULL,
  signed_prekey_id INTEGER NOT NULL,
  signed_prekey_pub BLOB NOT NULL,
  signed_prekey_sig BLOB NOT NULL,
  key_index INTEGER NOT NULL,
  signed_identity BLOB NOT NULL,
  platform TEXT,
  removed INTEGER NOT NULL DEFAULT 0,
  logins INTEGER NOT NULL DEFAULT 0,
  -- the device confirmed (receipt type="hist_sync") the history-sync notification from its phone
  history_synced INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (phone, device_id)
) WITHOUT ROWID;

-- one-time prekeys uploaded by companion devices; a row is deleted when handed out
CREATE TABLE device_prekeys (
  phone TEXT NOT NULL,
  device_id INTEGER NOT NULL,
  key_id INTEGER NOT NULL,
  pub BLOB NOT NULL,
  PRIMARY KEY (phone, device_id, key_id)
) WITHOUT ROWID;

-- one-time prekeys of simulated phones (device 0); deleted once a session consumed them
CREATE TABLE phone_prekeys (
  phone TEXT NOT NULL,
  key_id INTEGER NOT NULL,
  pub BLOB NOT NULL,
  priv BLOB NOT NULL,
  handed_out INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (phone, key_id)
) WITHOUT ROWID;

-- libsignal sessions of simulated phones (JSON), by remote address ("<user>[_<domain>].<device>")
CREATE TABLE signal_sessions (
  phone TEXT NOT NULL,
  address TEXT NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY (phone, address)
) WITHOUT ROWID;

-- what a simulated phone received and decrypted; "chat" is the jid the sender addressed
-- (for a copy of the account's own message, the destination chat)
CREATE TABLE inbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  phone TEXT NOT NULL,
  id TEXT NOT NULL,
  from_phone TEXT NOT NULL,
  from_device INTEGER NOT NULL,
  chat TEXT NOT NULL,
  own_copy INTEGER NOT NULL,
  type TEXT NOT NULL,
  text TEXT,
  timestamp INTEGER NOT NULL,
  read_at INTEGER
);
CREATE INDEX inbox_by_phone ON inbox (phone, id);

-- what a simulated phone sent (kept for retry receipts and delivery status);
-- category "peer" = to its own companions (history sync)
CREATE TABLE outbox (
  phone TEXT NOT NULL,
  id TEXT NOT NULL,
  to_phone TEXT NOT NULL,
  addressing TEXT NOT NULL,
  category TEXT NOT NULL,
  message BLOB NOT NULL,
  text TEXT,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (phone, id)
);

-- stanzas sent to a companion device and not yet acknowledged by it; resent (offline) at its next login
CREATE TABLE delivery_queue (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  phone TEXT NOT NULL,
  device_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  stanza_id TEXT NOT NULL,
  stanza BLOB NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE INDEX delivery_queue_by_device ON delivery_queue (phone, device_id, seq);
CREATE INDEX delivery_queue_by_stanza ON delivery_queue (phone, device_id, stanza_id);
`;

export function openWorldDatabase(dataDir: string): WorldDatabase {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, 'sim.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: WorldDatabase): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(`sim.db has schema version ${version}, newer than this simulator (${SCHEMA_VERSION})`);
  }
  if (version < 1) {
    db.transaction(() => {
      db.exec(SCHEMA_V1);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    })();
  }
}
