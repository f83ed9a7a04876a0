import { record, type BenchResult } from './lib/report.js';

/** `npm run bench` runs every benchmark; `npm run bench -- <name> [<name>…]` runs some. */
const SUITES: Record<string, () => Promise<{ run(): Promise<BenchResult | BenchResult[]> }>> = {
  'qr-latency': () => import('./qr-latency.js'),
  messaging: () => import('./messaging.js'),
  webhooks: () => import('./webhooks.js'),
  'state-size': () => import('./state-size.js'),
  memory: () => import('./memory.js'),
  restore: () => import('./restore.js'),
  failover: () => import('./failover.js'),
  'memory-5000': async () => ({ run: (await import('./memory.js')).run5000 }),
};
/** Run only when named: they take long on a small machine. */
const ON_REQUEST = new Set(['memory-5000']);

async function main() {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = wanted.length ? wanted : Object.keys(SUITES).filter((n) => !ON_REQUEST.has(n));
  for (const name of names) {
    const load = SUITES[name];
    if (!load) {
      process.stderr.write(`unknown benchmark '${name}'; known: ${Object.keys(SUITES).join(', ')}\n`);
      process.exit(2);
    }
    process.stdout.write(`▶ ${name}\n`);
    const results = await (await load()).run();
    for (const r of Array.isArray(results) ? results : [results]) {
      record(r);
      process.stdout.write(`${r.markdown.trim()}\n\n`);
    }
  }
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
