import net from 'node:net';

/** A TCP proxy a test can cut (a node losing the network to its database) and restore. */
export interface TcpProxy {
  port: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
  /** Stops forwarding in both directions, connections kept open (a stalled network); bytes wait. */
  hold(): void;
  /** Forwards again, the bytes that waited first. */
  release(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const pairs = new Set<[net.Socket, net.Socket]>();
  let held = false;
  const join = ([a, b]: [net.Socket, net.Socket]) => a.pipe(b).pipe(a);
  let server: net.Server;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(targetPort, targetHost);
        const pair: [net.Socket, net.Socket] = [client, upstream];
        pairs.add(pair);
        for (const s of pair) {
          sockets.add(s);
          s.on('close', () => {
            sockets.delete(s);
            pairs.delete(pair);
            if (held) for (const other of pair) other.destroy(); // unpiped: a peer gone while held is not left open
          });
          s.on('error', () => s.destroy());
        }
        if (!held) join(pair);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  await listen();
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return {
    get port() {
      return port;
    },
    cut: stop,
    restore: listen,
    hold() {
      held = true;
      for (const [a, b] of pairs) {
        a.unpipe(b);
        b.unpipe(a);
      }
    },
    release() {
      if (!held) return;
      held = false;
      for (const pair of pairs) join(pair);
    },
    close: stop,
  };
}
