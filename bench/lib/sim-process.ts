import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { AdminClient } from '../../sim/testing/admin-client.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface SimProcess {
  url: string;
  child: ChildProcess;
  admin: AdminClient;
  stop(): Promise<void>;
}

/**
 * `npm run sim` as its own process (so the gateway's RSS is the gateway's own), on an ephemeral
 * port, with its world in `dataDir`. Resolves once it listens.
 */
export async function startSimProcess(dataDir: string, timeoutMs = 30_000): Promise<SimProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'sim/main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', HOST: '127.0.0.1', PORT: '0', KIRIM_DATA_DIR: dataDir, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const keep = (line: string) => {
    tail.push(line);
    if (tail.length > 50) tail.shift();
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator did not start in ${timeoutMs} ms:\n${tail.join('\n')}`)), timeoutMs);
    let buf = '';
    let found = false;
    // keep draining stdout for the whole life of the process (its info logs), keeping only a tail
    child.stdout!.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        keep(line);
        if (!found && line.includes('WhatsApp simulator listening')) {
          try {
            const { url: u } = JSON.parse(line) as { url: string };
            found = true;
            clearTimeout(timer);
            resolve(u);
          } catch {}
        }
      }
    });
    child.stderr!.on('data', (c: Buffer) => keep(c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!found) reject(new Error(`simulator exited with ${code} before listening:\n${tail.join('\n')}`));
    });
  });
  return {
    url,
    child,
    admin: new AdminClient(url),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
