/**
 * Deliveries per second to a receiver in another local process (not a test):
 *   npx tsx src/webhooks/testing/measure-throughput.ts [events=2000] [sqlite|postgres] [receiver delay ms=0]
 * Each concurrency level gets a fresh database; the clock runs from the first publish to the
 * last settled attempt, so it includes queueing every event in the outbox.
 */
import { spawn } from 'node:child_process';
import { TEST_DATABASES, openEnv } from './harness.js';
import { WS, messageReceived } from './events.js';

const n = Number(process.argv[2] ?? 2000);
const dialect = process.argv[3] ?? 'sqlite';
const database = TEST_DATABASES.find((d) => d.name === dialect)!;
const delayMs = Number(process.argv[4] ?? 0);

const RECEIVER = `require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => setTimeout(() => s.writeHead(204).end(), ${delayMs})); })
  .listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;
const child = spawn(process.execPath, ['-e', RECEIVER]);
const port = await new Promise<number>((resolve) => child.stdout.once('data', (d) => resolve(Number(String(d).trim()))));

for (const concurrency of [1, 8]) {
  const env = await openEnv(database);
  const node = await env.node({ concurrency });
  await node.webhooks.service.create(WS, { url: `http://127.0.0.1:${port}/hook` });
  const started = performance.now();
  for (let i = 0; i < n; i++) node.bus.publish(messageReceived(`m${i}`));
  await node.attempts.until((a) => a.length >= n);
  const seconds = (performance.now() - started) / 1000;
  const ok = node.attempts.items.filter((a) => a.outcome.kind === 'delivered').length;
  console.log(`${dialect} receiver+${delayMs}ms concurrency=${concurrency}: ${ok}/${n} delivered in ${seconds.toFixed(2)} s = ${Math.round(n / seconds)} deliveries/s`);
  await env.cleanup();
}
child.kill();
