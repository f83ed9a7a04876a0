import { WebSocket } from 'ws';

/**
 * A minimal Chrome DevTools Protocol client for a child process started with `--inspect=127.0.0.1:0`
 * (benchmarks only): forces a full GC and evaluates expressions in it, with no debug route in the
 * product. Only the Runtime and HeapProfiler methods below are used; no domain is enabled, so the
 * process runs as it would without a debugger (no breakpoints, no script source kept).
 */
export class Inspector {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: any): void; reject(e: Error): void }>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const msg = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
      if (msg.id === undefined) return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(msg.error.message));
      else p.resolve(msg.result);
    });
    ws.on('close', () => {
      for (const p of this.pending.values()) p.reject(new Error('inspector connection closed'));
      this.pending.clear();
    });
  }

  /** The `ws://…` URL a process prints as "Debugger listening on …" (found in its captured logs). */
  static urlFromLogs(logs: string[]): string {
    for (const l of logs) {
      const m = /Debugger listening on (ws:\/\/\S+)/.exec(l);
      if (m) return m[1];
    }
    throw new Error('no "Debugger listening on" line: was the process started with --inspect?');
  }

  static async connect(url: string): Promise<Inspector> {
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 2 ** 30 });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new Inspector(ws);
  }

  send<T = any>(method: string, params: Record<string, unknown> = {}, timeoutMs = 120_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Full, compacting GC (twice, so objects freed by finalizers of the first go too). */
  async gc(): Promise<void> {
    await this.send('HeapProfiler.collectGarbage');
    await this.send('HeapProfiler.collectGarbage');
  }

  /** Evaluates `expression` in the process (awaiting a promise) and returns its JSON value. */
  async evaluate<T = unknown>(expression: string): Promise<T> {
    const r = await this.send<{ result: { value?: T }; exceptionDetails?: { text: string; exception?: { description?: string } } }>('Runtime.evaluate', {
      expression,
      returnByValue: true,
      awaitPromise: true,
    });
    if (r.exceptionDetails) throw new Error(`evaluate failed: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  }

  close(): void {
    this.ws.close();
  }
}
