/**
 * The state-store port: where each session's encrypted auth-state envelope lives.
 * Stores move opaque bytes; encoding/encryption is the codec's job (codec.ts), write-behind and
 * retries are the vault's (state-vault.ts), and the Baileys-facing in-memory view is
 * sessions/baileys/auth-state.ts.
 *
 * What every store guarantees (checked by store-contract.ts):
 * - `write` is atomic: a reader sees the old envelope or the new one, never a mix or a truncation;
 * - concurrent writes of one session are serialised in this process: the last one wins intact;
 * - sessions are isolated by `workspaceId` and `sessionId` (a read under the wrong workspace is null);
 * - ids are validated (state-ref.ts): a bad id is refused, it never becomes a path or key.
 *
 * Fencing (`enforcesFence`): `memory` and `db` check the epoch atomically with the write
 * (`db` in one SQL statement, so across nodes too). `fs` and `s3` do not: S3-compatible services
 * differ in conditional-write support (B2 has none), and fs is a single host's disk. In cluster mode
 * the cluster layer wraps those two with a fence check against its lease table.
 */
export interface StateRef {
  workspaceId: string;
  sessionId: string;
}

/** Fencing token for cluster mode: a write carrying an epoch older than the stored one is refused. */
export interface WriteFence {
  epoch: number;
}

export class StaleEpochError extends Error {
  constructor(
    readonly ref: StateRef,
    readonly epoch: number,
  ) {
    super(`state write for session ${ref.sessionId} refused: epoch ${epoch} is stale`);
    this.name = 'StaleEpochError';
  }
}

export type StateStoreKind = 'memory' | 'fs' | 'db' | 's3';

export interface StateStore {
  readonly kind: StateStoreKind;
  /** A human-readable location (`fs:/data/sessions`, `s3://bucket/prefix`, …) for logs and the CLI. */
  readonly location: string;
  /** True when `write(ref, data, fence)` itself refuses a stale epoch with StaleEpochError. */
  readonly enforcesFence: boolean;
  /** The stored envelope, or null when the session has none. */
  read(ref: StateRef): Promise<Buffer | null>;
  /** Atomically replaces the envelope: a reader sees the old bytes or the new ones, never a mix. */
  write(ref: StateRef, data: Buffer, fence?: WriteFence): Promise<void>;
  /** Removes the envelope; deleting a missing one is not an error. */
  delete(ref: StateRef): Promise<void>;
  list(): AsyncIterable<StateRef>;
  close(): Promise<void>;
}
