import { loadConfig } from '../../src/config/index.js';
import { createLogger, silentLogger } from '../../src/core/logger.js';
import { startGateway, type Gateway, type GatewayOptions } from '../../src/gateway.js';
import { ApiClient } from './api-client.js';
import { openSse, type SseClient } from './sse.js';

export interface TestGateway {
  gw: Gateway;
  api: ApiClient;
  sse(query?: string): SseClient;
  close(): Promise<void>;
}

export const TEST_API_KEY = 'test-key-0123456789abcdef';

/** The gateway in this process (fast); env as the real process would get it. */
export async function startTestGateway(env: Record<string, string>, opts: Partial<GatewayOptions> = {}): Promise<TestGateway> {
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', KIRIM_API_KEY: TEST_API_KEY, ...(process.env.KIRIM_TEST_LOG ? { KIRIM_LOG_LEVEL: process.env.KIRIM_TEST_LOG } : {}), ...env });
  const gw = await startGateway(config, {
    // KIRIM_TEST_LOG=debug shows the gateway's logs while debugging a test
    logger: process.env.KIRIM_TEST_LOG ? createLogger(process.env.KIRIM_TEST_LOG) : silentLogger,
    runtime: { backoff: { baseMs: 100, capMs: 1000, minMs: 50 }, ...opts.runtime },
    ...opts,
  });
  const api = new ApiClient(gw.url, config.apiKey ?? gw.apiKey);
  const streams: SseClient[] = [];
  return {
    gw,
    api,
    sse(query = '') {
      const s = openSse(`${gw.url}/v1/events${query}`, { authorization: `Bearer ${api.key}` });
      streams.push(s);
      return s;
    },
    async close() {
      for (const s of streams) s.close();
      await gw.close();
    },
  };
}
