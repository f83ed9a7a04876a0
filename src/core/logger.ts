import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = 'info', base: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { ...base }, timestamp: pino.stdTimeFunctions.isoTime });
}

export const silentLogger: Logger = pino({ level: 'silent' });
