import path from 'node:path';
import { type Config, loadConfig } from '../config/index.js';
import type { Logger } from '../core/logger.js';
import { connectDatabase, type Db, migrate } from '../db/index.js';
import { createStateStore, FsStateStore, type Keyring, loadKeyring, type StateStore } from '../state-store/index.js';
import { UsageError } from './parse-args.js';

export interface CliWriter {
  write(text: string): unknown;
}

export interface CliDeps {
  env: Record<string, string | undefined>;
  stdout: CliWriter;
  stderr: CliWriter;
  /** Relative paths (--out, import files) resolve against this [process.cwd()]. */
  cwd?: string;
  logger?: Logger;
  /** Time source for progress pacing. */
  now?: () => number;
}

/** Config, keyring and stores for one CLI run; everything opened here is closed by `close()`. */
export class CliContext {
  readonly config: Readonly<Config>;
  private db?: Db;
  private keys?: Keyring;
  private readonly stores: StateStore[] = [];

  constructor(
    readonly deps: CliDeps,
    private readonly logger: Logger,
  ) {
    this.config = loadConfig(deps.env);
  }

  get keyring(): Keyring {
    this.keys ??= loadKeyring({ stateKey: this.config.stateKey, previous: this.config.stateKeyPrevious, dataDir: this.config.dataDir, createIfMissing: false });
    return this.keys;
  }

  resolve(file: string): string {
    return path.resolve(this.deps.cwd ?? process.cwd(), file);
  }

  /**
   * A store by spec: `fs` (the data dir), `fs:<dir>` (a sessions root), `db` (DATABASE_URL or the
   * embedded SQLite), `s3://bucket/prefix` (S3_* settings); no spec is the configured store.
   */
  async openStore(spec?: string): Promise<StateStore> {
    let store: StateStore;
    if (spec?.startsWith('fs:')) {
      const dir = spec.slice(3);
      if (!dir) throw new UsageError(`store 'fs:' needs a directory`);
      store = new FsStateStore(this.resolve(dir));
    } else {
      const storeConfig = spec === undefined ? this.config.stateStore : this.parseSpec(spec);
      const db = storeConfig.kind === 'db' ? await this.database() : undefined;
      store = createStateStore(storeConfig, { dataDir: this.config.dataDir, db, logger: this.logger });
    }
    this.stores.push(store);
    return store;
  }

  async close(): Promise<void> {
    for (const s of this.stores.splice(0)) await s.close().catch(() => undefined);
    await this.db?.close();
    this.db = undefined;
  }

  private parseSpec(spec: string) {
    try {
      return loadConfig({ ...this.deps.env, KIRIM_STATE_STORE: spec }).stateStore;
    } catch {
      throw new UsageError(`unknown store '${spec}': use fs, fs:<dir>, db or s3://bucket/prefix`);
    }
  }

  /** The gateway's database (DATABASE_URL or the embedded SQLite), migrated. */
  async database(): Promise<Db> {
    if (!this.db) {
      this.db = connectDatabase({ url: this.config.databaseUrl, sqlitePath: path.join(this.config.dataDir, 'kirim.db'), poolSize: 2 });
      await migrate(this.db);
    }
    return this.db;
  }
}
