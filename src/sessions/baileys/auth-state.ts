import {
  type AuthenticationCreds,
  type AuthenticationState,
  type SignalDataSet,
  type SignalDataTypeMap,
  type SignalKeyStore,
  initAuthCreds,
  proto,
} from 'baileys';
import type { Logger } from '../../core/logger.js';
import {
  type AuthSnapshot,
  type SessionStateHandle,
  EntryTable,
  PreKeyStock,
  StateDecodeError,
  decodeValue,
  encodeValue,
  pruneSignalSessionRecord,
  x25519PublicKey,
} from '../../state-store/index.js';

/**
 * How far below `creds.firstUnuploadedPreKeyId` pre-keys are kept. The server holds at most the
 * 812 keys of the first upload (INITIAL_PREKEY_COUNT) plus small top-ups, always the most recently
 * uploaded ids; 1024 leaves headroom. Older keys were handed out and never used (or never will
 * be: a contact that kept a bundle that long gets a retry receipt with a fresh key). Keys with
 * ids at or above `nextPreKeyId` are never pruned (Baileys may store them before it advances the
 * counters). So the stock stays within 1024 + (nextPreKeyId − firstUnuploadedPreKeyId) keys.
 */
export const PRE_KEY_WINDOW = 1024;

export interface SessionAuth {
  state: AuthenticationState;
  /** Call on every `creds.update` (after Baileys has applied it). */
  credsChanged(): void;
  flush(): Promise<void>;
  /** Linked to an account (pair-success stored), so a connect logs in instead of showing a QR. */
  isRegistered(): boolean;
  /** Stop persisting: the device was logged out, whatever the old socket still does is void. */
  detach(): void;
}

type KeyType = keyof SignalDataTypeMap;

/**
 * Baileys' auth state over a vault handle. Everything lives in memory in compact form, off the JS
 * heap: pre-key private keys packed in one Buffer (public keys derived when asked), every other
 * key entry kept in the value encoding in one Buffer per type (EntryTable), decoded per `get`.
 * Libsignal session records are pruned on the way in (signal-record-pruning.ts), so state does not
 * grow with the length of conversations. Each `set` and `credsChanged()` marks the handle dirty;
 * the vault coalesces those into one encrypted write.
 *
 * Baileys wraps this store with `addTransactionCapability` itself (makeSocket). Wrapping it in
 * `makeCacheableSignalKeyStore` is not needed: a `get` is a map lookup plus a decode of a few
 * hundred bytes, and the cache would keep a decoded copy of every key for 5 minutes per socket.
 */
export async function openSessionAuth(handle: SessionStateHandle, logger: Logger): Promise<SessionAuth> {
  const snapshot = await handle.load();
  const creds = snapshot ? reviveCreds(snapshot.creds) : initAuthCreds();
  const preKeys = new PreKeyStock(snapshot?.preKeys);
  const entries = new Map<string, EntryTable>();
  for (const [type, m] of snapshot?.keys ?? []) entries.set(type, EntryTable.from(m));

  const take = (): AuthSnapshot => ({ creds: creds as unknown as Record<string, unknown>, preKeys: preKeys.block(), keys: entries });
  let detached = false;
  const changed = () => {
    if (!detached) handle.markDirty(take);
  };
  const prune = () => {
    const gone = preKeys.pruneBelow(creds.firstUnuploadedPreKeyId - PRE_KEY_WINDOW);
    if (gone > 0) logger.debug({ gone, left: preKeys.size }, 'pruned old pre-keys');
  };

  const keys: SignalKeyStore = {
    async get<T extends KeyType>(type: T, ids: string[]) {
      const out: { [id: string]: SignalDataTypeMap[T] } = {};
      for (const id of ids) {
        const value = type === 'pre-key' ? preKeyPair(preKeys, id) : entryValue(entries, type, id);
        if (value !== undefined) out[id] = value as SignalDataTypeMap[T];
      }
      return out;
    },
    async set(data: SignalDataSet) {
      for (const type of Object.keys(data) as KeyType[]) {
        const values = data[type];
        if (!values) continue;
        if (type === 'pre-key') setPreKeys(preKeys, values as Record<string, SignalDataTypeMap['pre-key'] | null>);
        else setEntries(entries, type, values);
      }
      if (data['pre-key']) prune();
      changed();
    },
    async clear() {
      entries.clear();
      preKeys.clear();
      changed();
    },
  };

  if (!snapshot) changed();
  return {
    state: { creds, keys },
    credsChanged() {
      prune();
      changed();
    },
    flush: () => (detached ? Promise.resolve() : handle.flush()),
    detach: () => {
      detached = true;
    },
    isRegistered: () => Boolean(creds.me?.id) && (Boolean(creds.account) || creds.registered === true),
  };
}

function preKeyPair(stock: PreKeyStock, id: string): SignalDataTypeMap['pre-key'] | undefined {
  const priv = stock.get(Number(id));
  return priv ? { private: priv, public: x25519PublicKey(priv) } : undefined;
}

function entryValue(entries: Map<string, EntryTable>, type: KeyType, id: string): unknown {
  const bytes = entries.get(type)?.get(id);
  if (!bytes) return undefined;
  const value = decodeValue(bytes, `${type} entry`);
  // what Baileys' own file store does: the app-state code expects a protobuf message here
  return type === 'app-state-sync-key' ? proto.Message.AppStateSyncKeyData.fromObject(value as object) : value;
}

function setPreKeys(stock: PreKeyStock, values: Record<string, SignalDataTypeMap['pre-key'] | null>): void {
  const add: [number, Uint8Array][] = [];
  for (const [id, pair] of Object.entries(values)) {
    if (pair) add.push([Number(id), pair.private]);
    else stock.delete(Number(id));
  }
  stock.setMany(add);
}

function setEntries(entries: Map<string, EntryTable>, type: KeyType, values: Record<string, unknown>): void {
  const m = entries.get(type) ?? new EntryTable();
  for (const [id, value] of Object.entries(values)) {
    if (value === null || value === undefined) m.delete(id);
    else m.set(id, encodeValue(type === 'session' ? pruneSignalSessionRecord(value) : value));
  }
  if (m.size > 0) entries.set(type, m);
  else entries.delete(type);
}

const REQUIRED_CREDS = ['noiseKey', 'pairingEphemeralKeyPair', 'signedIdentityKey', 'signedPreKey', 'registrationId', 'advSecretKey'];

/** Stored creds, with defaults for the bookkeeping fields an older snapshot may lack. */
function reviveCreds(stored: Record<string, unknown>): AuthenticationCreds {
  const missing = REQUIRED_CREDS.filter((k) => stored[k] === undefined || stored[k] === null);
  if (missing.length > 0) throw new StateDecodeError(`stored credentials lack ${missing.join(', ')}`);
  const creds = stored as unknown as AuthenticationCreds;
  creds.processedHistoryMessages ??= [];
  creds.accountSettings ??= { unarchiveChats: false };
  creds.accountSyncCounter ??= 0;
  creds.nextPreKeyId ??= 1;
  creds.firstUnuploadedPreKeyId ??= 1;
  creds.registered ??= false;
  return creds;
}
