/**
 * Bounds a libsignal (libsignal-node) session record, in the serialised shape Baileys stores:
 * `{ _sessions: { [baseKey]: { indexInfo: { closed }, _chains: { [ratchetKey]: { chainType,
 * chainKey: { counter, key? }, messageKeys } } } }, version }`.
 *
 * libsignal-node never drops a receiving chain: every turn of a conversation leaves one behind
 * (its key deleted, 33 bytes of id and some structure), so a record grows for as long as people
 * talk. It keeps 40 closed sessions per contact too. Here:
 * - a receiving chain with no chain key and no skipped message keys can decrypt nothing; all but
 *   the newest `DEAD_CHAINS_KEPT` such chains are dropped. A redelivered message from an older
 *   turn fails either way ("no matching sessions", the record untouched); the newest dead chain
 *   keeps libsignal's "key used already" answer for a redelivered pre-key message of the last
 *   turn, which Baileys acknowledges instead of asking for a retry. (The official clients cap
 *   receiving chains at 5 for the same reason.)
 * - only the `CLOSED_SESSIONS_KEPT` most recently closed sessions are kept (they serve messages
 *   still in flight when a session was replaced).
 * Anything not in the expected shape is returned untouched.
 */
export const DEAD_CHAINS_KEPT = 1;
export const CLOSED_SESSIONS_KEPT = 3;
const RECEIVING = 2;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

/** Prunes `record` in place (Baileys hands us a fresh `serialize()` result) and returns it. */
export function pruneSignalSessionRecord<T>(record: T): T {
  if (!isObj(record) || !isObj(record._sessions)) return record;
  const sessions = record._sessions;
  const closed: [string, number][] = [];
  for (const [baseKey, entry] of Object.entries(sessions)) {
    if (!isObj(entry)) continue;
    pruneDeadChains(entry);
    const when = isObj(entry.indexInfo) ? entry.indexInfo.closed : undefined;
    if (typeof when === 'number' && when !== -1) closed.push([baseKey, when]);
  }
  if (closed.length > CLOSED_SESSIONS_KEPT) {
    closed.sort((a, b) => b[1] - a[1]);
    for (const [baseKey] of closed.slice(CLOSED_SESSIONS_KEPT)) delete sessions[baseKey];
  }
  return record;
}

function pruneDeadChains(entry: Obj): void {
  const chains = entry._chains;
  if (!isObj(chains)) return;
  // insertion order is creation order: the newest dead chains come last
  const dead = Object.keys(chains).filter((k) => isDead(chains[k]));
  for (const k of dead.slice(0, Math.max(0, dead.length - DEAD_CHAINS_KEPT))) delete chains[k];
}

function isDead(chain: unknown): boolean {
  if (!isObj(chain) || chain.chainType !== RECEIVING || !isObj(chain.chainKey) || !isObj(chain.messageKeys)) return false;
  return chain.chainKey.key === undefined && Object.keys(chain.messageKeys).length === 0;
}
