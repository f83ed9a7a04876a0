import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { readyLine, stopChild, urlFromLogLine } from '../../sim/testing/child-process.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  logs: string[];
  /** Sends a signal and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs the real gateway (`tsx src/main.ts`) as a child process and resolves once it listens.
 * Use PORT=0 in env: the chosen port is read from the "kirim listening" log line.
 */
export async function startGatewayProcess(env: Record<string, string>, timeoutMs = 30_000): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', HOST: '127.0.0.1', PORT: '0', KIRIM_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const url = await readyLine(child, logs, 'gateway', timeoutMs, urlFromLogLine('kirim listening'));
  return {
    url,
    child,
    logs,
    stop: (signal: NodeJS.Signals = 'SIGTERM') => stopChild(child, signal),
  };
}
