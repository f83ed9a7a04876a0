import type { CliWriter } from './cli-context.js';

/** Prints `label: done/total` now and then (first, last, at most once a second between). */
export function progressPrinter(out: CliWriter, label: string, now: () => number = Date.now) {
  let last = -Infinity;
  return (done: number, total: number) => {
    const t = now();
    if (done === 1 || done === total || t - last >= 1_000) {
      out.write(`${label}: ${done}/${total}\n`);
      last = t;
    }
  };
}
