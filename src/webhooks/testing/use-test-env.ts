import { afterEach, beforeEach } from 'vitest';
import type { WebhooksOptions } from '../create-webhooks.js';
import { openEnv, type TestDatabase, type TestEnv, type TestNode } from './harness.js';
import { startReceiver, type Receiver } from './receiver.js';

export interface SuiteEnv {
  /** This test's environment (fresh database). */
  readonly env: TestEnv;
  node(overrides?: Partial<WebhooksOptions>, opts?: { start?: boolean }): Promise<TestNode>;
  /** A receiver closed after the test. */
  receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver>;
}

/** Registers per-test setup and teardown: a fresh database, nodes and receivers, all closed after. */
export function useTestEnv(database: TestDatabase): SuiteEnv {
  let env: TestEnv | undefined;
  const receivers: Receiver[] = [];
  beforeEach(async () => {
    env = await openEnv(database);
  });
  afterEach(async () => {
    await env?.cleanup();
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  return {
    get env() {
      return env!;
    },
    node: (overrides, opts) => env!.node(overrides, opts),
    async receiver(...args) {
      const r = await startReceiver(...args);
      receivers.push(r);
      return r;
    },
  };
}
