import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readyLine, stopChild, urlFromLogLine } from './child-process.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface SimProcess {
  /** `http://127.0.0.1:PORT`, from the "listening" log line */
  url: string;
  wsUrl: string;
  child: ChildProcess;
  /** stdout and stderr lines so far */
  logs: string[];
  /** Sends `signal` and resolves with the exit code (null when killed by the signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The command of `npm run sim` from package.json, run without npm (so signals reach the simulator itself). */
export function simCommand(): string[] {
  const scripts = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
  const [program, ...args] = scripts.sim.split(/\s+/);
  if (program !== 'node') throw new Error(`npm run sim is "${scripts.sim}"; expected a node command`);
  return [process.execPath, ...args];
}

/** Runs `npm run sim`'s command with `env` (PORT=0: an ephemeral port) and resolves once it listens. */
export async function startSimProcess(env: Record<string, string>, timeoutMs = 20_000): Promise<SimProcess> {
  const [program, ...args] = simCommand();
  const child = spawn(program, args, {
    cwd: ROOT,
    env: { LOG_LEVEL: 'info', ...env }, // nothing inherited: the simulator sees only what the test passes
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const url = await readyLine(child, logs, 'the simulator', timeoutMs, urlFromLogLine('WhatsApp simulator listening'));
  return {
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/ws/chat`,
    child,
    logs,
    stop: (signal: NodeJS.Signals = 'SIGTERM') => stopChild(child, signal),
  };
}
