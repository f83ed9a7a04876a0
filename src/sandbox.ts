import path from 'node:path';
import type { Config } from './config/index.js';
import type { Logger } from './core/logger.js';

export interface Sandbox {
  url: string;
  wsUrl: string;
  rootPublicKey: Buffer;
  /** Stops the in-process simulator (no-op for an external one). */
  close(): Promise<void>;
}

/**
 * Sandbox mode: sessions talk to kirim's WhatsApp simulator instead of WhatsApp. With
 * KIRIM_SANDBOX=1 the simulator runs in this process (its world under <dataDir>/sim);
 * with KIRIM_SANDBOX_URL it is another process. Either way its root key is read over HTTP.
 */
export async function connectSandbox(config: Readonly<Config>, logger: Logger): Promise<Sandbox> {
  let url = config.sandboxUrl;
  let stop = async () => {};
  if (config.sandbox) {
    // The only place the gateway reaches into sim/: wiring the in-process sandbox.
    const { startSimulator } = await import('../sim/index.js');
    const sim = await startSimulator({
      host: '127.0.0.1',
      port: config.sandboxPort,
      dataDir: path.join(config.dataDir, 'sim'),
      logger: logger.child({ component: 'sim' }),
    });
    url = sim.url;
    stop = () => sim.close();
    logger.info({ url }, 'sandbox: WhatsApp simulator running in-process');
  }
  if (!url) throw new Error('sandbox needs KIRIM_SANDBOX=1 or KIRIM_SANDBOX_URL');
  let rootHex: string;
  try {
    const res = await fetch(`${url}/admin/root-key`);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    rootHex = ((await res.json()) as { publicKey: string }).publicKey;
  } catch (err) {
    await stop();
    throw new Error(`cannot read the simulator's root key from ${url}/admin/root-key: ${(err as Error).message}`);
  }
  const rootPublicKey = Buffer.from(rootHex, 'hex');
  if (rootPublicKey.length !== 32) throw new Error(`the simulator at ${url} published a root key of ${rootPublicKey.length} bytes, expected 32`);
  return { url, wsUrl: `${url.replace(/^http/, 'ws')}/ws/chat`, rootPublicKey, close: stop };
}
