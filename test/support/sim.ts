import { startSimulator, type Simulator } from '../../sim/index.js';
import { tempDir } from './temp-dir.js';

export interface TestSim {
  sim: Simulator;
  dataDir: string;
  admin<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/** A simulator on an ephemeral loopback port with its own world directory. */
export async function startTestSim(dataDir?: string): Promise<TestSim> {
  const tmp = dataDir ? null : tempDir('kirim-sim-');
  const dir = dataDir ?? tmp!.dir;
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, dataDir: dir });
  return {
    sim,
    dataDir: dir,
    async admin(method, path, body) {
      const res = await fetch(`${sim.url}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {}
      return { status: res.status, body: parsed as any };
    },
    async close() {
      await sim.close();
      tmp?.cleanup();
    },
  };
}

let phoneCounter = 0;
/** A phone number unique within this test process. */
export function testPhone(prefix = '62811'): string {
  phoneCounter++;
  return `${prefix}${String(process.pid % 10000).padStart(4, '0')}${String(phoneCounter).padStart(4, '0')}`;
}
