import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { pino, type Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { createAdminHandler } from './admin/admin-router.js';
import { sendJson } from './admin/http-json.js';
import { accountRoutes } from './admin/routes/account-routes.js';
import { contactRoutes } from './admin/routes/contact-routes.js';
import { pairingRoutes } from './admin/routes/pairing-routes.js';
import { worldRoutes } from './admin/routes/world-routes.js';
import { ClientConnection } from './connection/client-connection.js';
import { connectionHandlers } from './connection-handlers.js';
import { DeviceDelivery } from './connection/device-delivery.js';
import { DeviceRegistry } from './connection/device-registry.js';
import { SimStats } from './connection/stats.js';
import type { SimContext } from './context.js';
import { PendingRegistrations } from './pairing/pending-registrations.js';
import { buildCertChain } from './transport/cert-chain.js';
import { X25519Key } from './transport/x25519.js';
import { generateKeyPair } from './world/key-pair.js';
import { loadOrCreateRootKey } from './world/root-key.js';
import { World } from './world/world.js';
import { quietLibsignal } from './signal/quiet-libsignal.js';

export interface SimulatorOptions {
  /** default 127.0.0.1 */
  host?: string;
  /** default 0: an ephemeral port */
  port?: number;
  /** where the world is kept (`sim.db`) */
  dataDir: string;
  /** default: silent */
  logger?: Logger;
}

export interface Simulator {
  /** `http://HOST:PORT`, the admin API */
  url: string;
  /** `ws://HOST:PORT/ws/chat`, for Baileys' `waWebSocketUrl` */
  wsUrl: string;
  port: number;
  /** 32 bytes: set Baileys' `WA_CERT_DETAILS.PUBLIC_KEY` to it */
  rootPublicKey: Buffer;
  close(): Promise<void>;
}

const WS_PATH = '/ws/chat';

const HANDSHAKE_TIMEOUT_MS = 20_000;
const CLOSE_GRACE_MS = 500;

/** Starts the simulated WhatsApp network: the chat WebSocket and the admin API on one port. */
export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const logger = opts.logger ?? pino({ level: 'silent' });
  quietLibsignal(logger);
  const world = World.open(opts.dataDir);
  const root = loadOrCreateRootKey(world.db);
  const staticPair = generateKeyPair();
  const certChain = buildCertChain(root, staticPair.public);
  const serverStatic = X25519Key.from(staticPair);
  const online = new DeviceRegistry();
  const ctx: SimContext = {
    world,
    online,
    delivery: new DeviceDelivery(world, online, logger),
    registrations: new PendingRegistrations(),
    stats: new SimStats(),
    logger,
    rootPublicKey: root.public,
  };
  const handlers = connectionHandlers(ctx);

  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 32 * 1024 * 1024, perMessageDeflate: false, clientTracking: false });
  const adminHandler = createAdminHandler(ctx, [...worldRoutes, ...pairingRoutes, ...accountRoutes, ...contactRoutes], logger);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if ((req.url ?? '').startsWith('/admin')) void adminHandler(req, res);
    else sendJson(res, 404, { error: { code: 'not_found', message: 'the simulator serves /admin/* and the WebSocket at /ws/chat' } });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if ((req.url ?? '').split('?')[0] !== WS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ctx.stats.connections++;
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      new ClientConnection(ws, { serverStatic, certChain, logger, handlers, handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS });
    });
  });

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const base = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.debug({ port, dataDir: opts.dataDir }, 'simulator listening');

  let closing: Promise<void> | undefined;
  return {
    url: `http://${base}`,
    wsUrl: `ws://${base}${WS_PATH}`,
    port,
    rootPublicKey: Buffer.from(root.public),
    close: () => (closing ??= shutdown()),
  };

  async function shutdown(): Promise<void> {
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    const closed = [...sockets].map((ws) => new Promise<void>((resolve) => ws.once('close', () => resolve())));
    for (const ws of sockets) ws.close(1001, 'simulator shutting down');
    await Promise.race([Promise.all(closed), new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref())]);
    for (const ws of sockets) ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await serverClosed;
    world.close();
  }
}

