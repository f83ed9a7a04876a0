export { connectDatabase, ping, type Db, type Dialect, type ConnectOptions } from './connect.js';
export { migrate } from './migrator.js';
export type * from './schema.js';
