/** A tiny Server-Sent Events client for tests: collects events and awaits the ones you want. */
export interface SseEvent {
  event: string;
  id?: string;
  data: any;
}

export interface SseClient {
  events: SseEvent[];
  waitFor(pred: (e: SseEvent) => boolean, timeoutMs?: number, what?: string): Promise<SseEvent>;
  close(): void;
  ready: Promise<void>;
}

export function openSse(url: string, headers: Record<string, string> = {}): SseClient {
  const controller = new AbortController();
  const events: SseEvent[] = [];
  const waiters = new Set<{ pred: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }>();
  let readyResolve!: () => void;
  let readyReject!: (e: unknown) => void;
  const ready = new Promise<void>((res, rej) => {
    readyResolve = res;
    readyReject = rej;
  });
  const push = (e: SseEvent) => {
    events.push(e);
    if (e.event === 'ready') readyResolve();
    for (const w of waiters) {
      if (w.pred(e)) {
        waiters.delete(w);
        w.resolve(e);
      }
    }
  };
  void (async () => {
    try {
      const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
      if (!res.ok || !res.body) throw new Error(`SSE ${url} answered ${res.status}: ${await res.text()}`);
      const decoder = new TextDecoder();
      let buf = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let idx: number;
        while ((idx = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, idx);
          buf = buf.slice(idx + 2);
          let event = 'message';
          let id: string | undefined;
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('id:')) id = line.slice(3).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
          }
          if (!data.length) continue;
          const raw = data.join('\n');
          let parsed: unknown = raw;
          try {
            parsed = JSON.parse(raw);
          } catch {}
          push({ event, id, data: parsed });
        }
      }
    } catch (err) {
      if ((err as Error).name !== 'AbortError') readyReject(err);
    }
  })();
  return {
    events,
    ready,
    close: () => controller.abort(),
    waitFor(pred, timeoutMs = 20_000, what = 'event') {
      const found = events.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = {
          pred,
          resolve: (e: SseEvent) => {
            clearTimeout(t);
            resolve(e);
          },
        };
        const t = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; saw: ${events.map((e) => `${e.event}:${JSON.stringify(e.data?.data ?? '')}`).slice(-15).join(' | ')}`));
        }, timeoutMs);
        waiters.add(w);
      });
    },
  };
}
