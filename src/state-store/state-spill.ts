import path from 'node:path';
import type { Logger } from '../core/logger.js';
import { decodeAuthState, isUnderCurrentKey, reencryptEnvelope } from './codec.js';
import { StateDecodeError } from './decode-error.js';
import type { Keyring } from './keyring.js';
import { type StateRef, type StateStore, StaleEpochError, type WriteFence } from './port.js';
import { decodeSpillRecord, encodeSpillRecord, type SpillRecord } from './spill-record.js';
import { refKey } from './state-ref.js';

/** Where the spill files live: `<dataDir>/state-spill/<workspace>/<session>.kst` (an FsStateStore). */
export const spillStateRoot = (dataDir: string) => path.join(dataDir, 'state-spill');

/** The stored states a spilled state was derived from (spill-record.ts). */
export interface SpillBases {
  baseWasEmpty: boolean;
  bases: Buffer[];
}

/**
 * What `settle` did: `none` no spill; `applied` written to the store; `stored` the store already
 * had it; `superseded` the store has moved on (another writer), the spill was dropped; `kept` it
 * could not be settled now (another node holds the session's lease) and stays for later.
 */
export type SettleOutcome = 'none' | 'applied' | 'stored' | 'superseded' | 'kept';

/**
 * The last resort for state the store would not take before shutdown (an S3 outage at SIGTERM):
 * each such session's envelope — encrypted and bound to its session as in the store — goes to a
 * local file (atomically: the files are an FsStateStore), with the bases it was derived from.
 *
 * Settling a spill (at the next start, and when the session loads) writes it to the store only if
 * the store still holds one of its bases (or nothing, when the base was empty): then nothing has
 * written the session since and the spill is the newer state. Otherwise something else did —
 * another node that took the session over in cluster mode, a `state import` — and the spill is
 * dropped, so it can never overwrite later state. The base is compared by plaintext hash, so a key
 * rotation or a migration to another store in between does not count as a change. In cluster mode
 * the settling write carries the caller's fence (a lease it holds), so no other node can write
 * between the check and the write (`db` checks the epoch in the statement; fs/s3 through the lease).
 */
export class StateSpill {
  /** Sessions known to have a spill file (after `list`, `save`, or a `settle` that kept one). */
  private readonly known = new Set<string>();
  /** Once listed, `known` is every spill file there is (only this process writes them): no file to look for otherwise. */
  private listed = false;

  constructor(
    private readonly files: StateStore,
    private readonly keyring: Keyring,
    private readonly logger: Logger,
  ) {}

  get location(): string {
    return this.files.location;
  }

  /** Spill files known to be waiting (for /healthz). */
  get count(): number {
    return this.known.size;
  }

  async list(): Promise<StateRef[]> {
    const refs: StateRef[] = [];
    for await (const ref of this.files.list()) {
      refs.push(ref);
      this.known.add(refKey(ref));
    }
    this.listed = true;
    return refs;
  }

  async save(ref: StateRef, envelope: Buffer, base: SpillBases, spilledAt: number): Promise<void> {
    await this.files.write(ref, encodeSpillRecord({ spilledAt, baseWasEmpty: base.baseWasEmpty, bases: base.bases, envelope }));
    this.known.add(refKey(ref));
  }

  /** Forgets a session's spill (the session was deleted). */
  async drop(ref: StateRef): Promise<void> {
    await this.files.delete(ref);
    this.known.delete(refKey(ref));
  }

  /**
   * Writes the session's spill to `store` if the store still holds what it was derived from, and
   * removes the spill file once the store has it or has moved past it. Throws when the store can't
   * be read, and a StateDecodeError when the spill (or the stored state) can't be decrypted — it is
   * then kept: the operator decides (a missing KIRIM_STATE_KEY_PREVIOUS, say).
   */
  async settle(ref: StateRef, store: StateStore, fence?: WriteFence): Promise<SettleOutcome> {
    // every session load asks: after the listing at start, most need no file read
    if (this.listed && !this.known.has(refKey(ref))) return 'none';
    const raw = await this.files.read(ref);
    if (!raw) {
      this.known.delete(refKey(ref));
      return 'none';
    }
    this.known.add(refKey(ref));
    const where = `spilled state of session ${ref.sessionId} (${this.files.location})`;
    let record: SpillRecord;
    let spilledHash: Buffer;
    try {
      record = decodeSpillRecord(raw);
      spilledHash = (await decodeAuthState(record.envelope, ref, this.keyring)).hash;
    } catch (err) {
      if (err instanceof StateDecodeError) throw new StateDecodeError(`${where}: ${err.message}`);
      throw err;
    }
    const current = await store.read(ref);
    const currentHash = current ? (await decodeAuthState(current, ref, this.keyring)).hash : null;
    const age = { session: ref.sessionId, spilledAt: new Date(record.spilledAt).toISOString() };
    if (currentHash?.equals(spilledHash)) {
      await this.drop(ref);
      return 'stored';
    }
    const isBase = currentHash === null ? record.baseWasEmpty : record.bases.some((b) => b.equals(currentHash));
    if (!isBase) {
      this.logger.warn(age, 'spilled session state dropped: the store has state written after it (another node or an import), which wins');
      await this.drop(ref);
      return 'superseded';
    }
    const envelope = isUnderCurrentKey(record.envelope, this.keyring) ? record.envelope : await reencryptEnvelope(record.envelope, ref, this.keyring);
    try {
      await store.write(ref, envelope, fence);
    } catch (err) {
      if (!(err instanceof StaleEpochError)) throw err;
      this.logger.warn(age, 'spilled session state kept: another node holds this session now');
      return 'kept';
    }
    await this.drop(ref);
    this.logger.info(age, 'spilled session state written to the store');
    return 'applied';
  }
}
