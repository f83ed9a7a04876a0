import path from 'node:path';
import type { StateStoreConfig } from '../config/index.js';
import type { Logger } from '../core/logger.js';
import type { Db } from '../db/index.js';
import { DbStateStore } from './db-store.js';
import { FsStateStore } from './fs-store.js';
import type { StateStore } from './port.js';
import { S3StateStore } from './s3-store.js';

export interface StateStoreDeps {
  dataDir: string;
  /** Required for `db`: the gateway's database (the store does not close it). */
  db?: Db;
  logger: Logger;
}

/** Where the fs store keeps its files. */
export const fsStateRoot = (dataDir: string) => path.join(dataDir, 'sessions');

export function createStateStore(config: StateStoreConfig, deps: StateStoreDeps): StateStore {
  let store: StateStore;
  switch (config.kind) {
    case 'fs':
      store = new FsStateStore(fsStateRoot(deps.dataDir));
      break;
    case 'db':
      if (!deps.db) throw new Error('the db state store needs the database connection');
      store = new DbStateStore(deps.db);
      break;
    case 's3':
      store = new S3StateStore(config);
      break;
  }
  deps.logger.info({ store: store.location }, 'session state store');
  return store;
}
