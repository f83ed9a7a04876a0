import { resolve } from 'node:path';

export interface SimConfig {
  host: string;
  port: number;
  dataDir: string;
  logLevel: string;
}

export class SimConfigError extends Error {}

/** Reads `HOST` [127.0.0.1], `PORT` [7070], `KIRIM_DATA_DIR` [./data] and `LOG_LEVEL` [info]; empty means unset. */
export function loadSimConfig(env: NodeJS.ProcessEnv = process.env): SimConfig {
  const portText = env.PORT || '7070';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new SimConfigError(`PORT must be a port number (0-65535), got "${portText}"`);
  const host = env.HOST || '127.0.0.1';
  const logLevel = env.LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new SimConfigError(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "${logLevel}"`);
  }
  return { host, port, dataDir: resolve(env.KIRIM_DATA_DIR || './data'), logLevel };
}
