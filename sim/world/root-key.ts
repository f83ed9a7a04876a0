import type { WorldDatabase } from './database.js';
import { generateKeyPair, type KeyPair } from './key-pair.js';

/** The key pair the certificate chain is signed with: created once, then read from the data dir. */
export function loadOrCreateRootKey(db: WorldDatabase): KeyPair {
  const read = db.prepare<[string], { value: Buffer }>('SELECT value FROM meta WHERE key = ?');
  const insert = db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)');
  return db.transaction(() => {
    const pub = read.get('root_public')?.value;
    const priv = read.get('root_private')?.value;
    if (pub && priv) return { public: pub, private: priv };
    const pair = generateKeyPair();
    insert.run('root_public', pair.public);
    insert.run('root_private', pair.private);
    return pair;
  })();
}
