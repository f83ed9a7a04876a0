import { Redis } from 'ioredis';
import type { Logger } from '../core/logger.js';

/** Nudges between nodes ("look at your assignments now"), so handovers don't wait for a tick. */
export interface ClusterSignals {
  notify(nodeId: string | '*'): void;
  onWake(listener: () => void): void;
  /** Tells every other node that `topic` changed (e.g. the webhook list). */
  broadcast(topic: string): void;
  on(topic: string, listener: () => void): void;
  close(): Promise<void>;
}

export const noSignals: ClusterSignals = { notify() {}, onWake() {}, broadcast() {}, on() {}, async close() {} };

export async function redisSignals(url: string, nodeId: string, logger: Logger, channel = 'kirim:wake'): Promise<ClusterSignals> {
  const opts = { lazyConnect: true, maxRetriesPerRequest: 2 } as const;
  const pub = new Redis(url, opts);
  const sub = new Redis(url, opts);
  for (const c of [pub, sub]) c.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error (cluster signals)'));
  await Promise.all([pub.connect(), sub.connect()]);
  const listeners: Array<() => void> = [];
  const topics = new Map<string, Array<() => void>>();
  sub.on('message', (_c: string, msg: string) => {
    const [kind, from, target] = msg.split('|');
    if (kind === 'wake' && (target === nodeId || target === '*')) for (const l of listeners) l();
    if (kind === 'topic' && from !== nodeId) for (const l of topics.get(target) ?? []) l();
  });
  await sub.subscribe(channel);
  return {
    notify(target) {
      if (target === nodeId) {
        for (const l of listeners) l();
        return;
      }
      pub.publish(channel, `wake|${nodeId}|${target}`).catch(() => undefined);
    },
    onWake(listener) {
      listeners.push(listener);
    },
    broadcast(topic) {
      pub.publish(channel, `topic|${nodeId}|${topic}`).catch(() => undefined);
    },
    on(topic, listener) {
      topics.set(topic, [...(topics.get(topic) ?? []), listener]);
    },
    async close() {
      sub.disconnect();
      await pub.quit().catch(() => pub.disconnect());
    },
  };
}
