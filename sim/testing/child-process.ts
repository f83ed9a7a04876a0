import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/**
 * Collects a child's stdout and stderr into `logs`, line by line, for its whole life, and resolves
 * with what `ready` reads off the first line it accepts (null: not that line). Kills the child when
 * that takes longer than `timeoutMs`; rejects when it exits first. `what` names it in the errors.
 */
export function readyLine(child: ChildProcess, logs: string[], what: string, timeoutMs: number, ready: (line: string) => string | null): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // never leave a half-started process behind
      reject(new Error(`${what} did not start in ${timeoutMs} ms:\n${logs.join('\n')}`));
    }, timeoutMs);
    const collect = (stream: NodeJS.ReadableStream, onLine: (line: string) => void = () => {}) => {
      let buffered = '';
      stream.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        let i: number;
        while ((i = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, i);
          buffered = buffered.slice(i + 1);
          logs.push(line);
          onLine(line);
        }
      });
    };
    collect(child.stdout!, (line) => {
      const value = ready(line);
      if (value === null) return;
      clearTimeout(timer);
      resolve(value);
    });
    collect(child.stderr!);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before listening:\n${logs.join('\n')}`));
    });
  });
}

/** Sends `signal` (unless the child has exited) and resolves with the exit code (null when killed by a signal). */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = once(child, 'exit');
  child.kill(signal);
  const [code] = (await exited) as [number | null];
  return code;
}

/** `ready` for a JSON log line with `marker` in its msg: its `url`. */
export const urlFromLogLine =
  (marker: string) =>
  (line: string): string | null => {
    if (!line.includes(marker)) return null;
    try {
      return (JSON.parse(line) as { url: string }).url;
    } catch {
      return null;
    }
  };
