import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WaitableList } from './waitable-list.js';

export interface Receipt {
  headers: Record<string, string>;
  body: string;
  at: number;
  /** 0-based arrival order. */
  index: number;
}

/** Answers a request with a status (possibly later, to hold it in flight). */
export type Responder = (receipt: Receipt) => number | Promise<number>;

export interface Receiver {
  url: string;
  port: number;
  receipts: WaitableList<Receipt>;
  /** Receipts per webhook-id. */
  countById(): Map<string, number>;
  respond: Responder;
  close(): Promise<void>;
}

/** A real HTTP webhook receiver on 127.0.0.1 (port 0 = any free port) that records what it gets. */
export async function startReceiver(respond: Responder = () => 200, port = 0): Promise<Receiver> {
  const receipts = new WaitableList<Receipt>();
  const receiver: Receiver = {
    url: '',
    port: 0,
    receipts,
    respond,
    countById() {
      const counts = new Map<string, number>();
      for (const r of receipts.items) counts.set(r.headers['webhook-id'], (counts.get(r.headers['webhook-id']) ?? 0) + 1);
      return counts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const receipt: Receipt = {
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
        index: receipts.length,
      };
      receipts.push(receipt);
      const status = await receiver.respond(receipt);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status >= 300 ? `answer ${status}` : 'ok');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}/hook`;
  return receiver;
}

/** A port on 127.0.0.1 where nothing listens (connections are refused). */
export async function closedPort(): Promise<number> {
  const r = await startReceiver();
  await r.close();
  return r.port;
}

/** A promise with its resolve function outside: hold a response until the test says so. */
export function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
