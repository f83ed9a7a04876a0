import net from 'node:net';

/**
 * A TCP proxy in front of the simulator that can hold back new chat connections (the `GET /ws/chat`
 * upgrade) while plain HTTP (`/admin/root-key`) goes through: a test subscribes to a restarting
 * gateway's events before its sessions log in, then lets them through.
 */
export interface LoginGate {
  /** `http://127.0.0.1:PORT`: use it as KIRIM_SANDBOX_URL */
  url: string;
  /** chat connections opened from now on wait */
  hold(): void;
  /** lets the waiting ones (and every later one) through */
  release(): void;
  close(): Promise<void>;
}

export async function startLoginGate(targetUrl: string): Promise<LoginGate> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  let held: Array<() => void> | null = null;
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server = net.createServer((client) => {
    track(client);
    client.once('data', (first: Buffer) => {
      client.pause();
      const forward = () => {
        if (client.destroyed) return;
        const upstream = net.connect(Number(target.port), target.hostname);
        track(upstream);
        upstream.on('close', () => client.destroy());
        client.on('close', () => upstream.destroy());
        upstream.write(first);
        client.pipe(upstream).pipe(client);
      };
      if (held && first.toString('latin1', 0, 13).startsWith('GET /ws/chat')) held.push(forward);
      else forward();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    hold() {
      held ??= [];
    },
    release() {
      const waiting = held ?? [];
      held = null;
      for (const forward of waiting) forward();
    },
    close: () =>
      new Promise<void>((resolve) => {
        held = null;
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
