import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface ProcessMetrics {
  memory: { rssBytes: number; heapUsedBytes: number; heapTotalBytes: number; externalBytes: number; arrayBuffersBytes: number };
  /** Event-loop delay since the last reset, in milliseconds. */
  eventLoop: { p50Ms: number; p99Ms: number; maxMs: number; meanMs: number; sinceMs: number };
  uptimeSeconds: number;
}

/** Memory and event-loop delay of this process (the figures the benchmarks and operators watch). */
export class ProcessMonitor {
  private readonly histogram: IntervalHistogram;
  private since = Date.now();

  constructor(resolutionMs = 10) {
    this.histogram = monitorEventLoopDelay({ resolution: resolutionMs });
    this.histogram.enable();
  }

  read(reset = false): ProcessMetrics {
    const m = process.memoryUsage();
    const h = this.histogram;
    const ms = (ns: number) => Math.round((ns / 1e6) * 100) / 100;
    const out: ProcessMetrics = {
      memory: { rssBytes: m.rss, heapUsedBytes: m.heapUsed, heapTotalBytes: m.heapTotal, externalBytes: m.external, arrayBuffersBytes: m.arrayBuffers },
      eventLoop: {
        p50Ms: h.count ? ms(h.percentile(50)) : 0,
        p99Ms: h.count ? ms(h.percentile(99)) : 0,
        maxMs: h.count ? ms(h.max) : 0,
        meanMs: h.count ? ms(h.mean) : 0,
        sinceMs: Date.now() - this.since,
      },
      uptimeSeconds: Math.round(process.uptime()),
    };
    if (reset) {
      h.reset();
      this.since = Date.now();
    }
    return out;
  }

  close(): void {
    this.histogram.disable();
  }
}
