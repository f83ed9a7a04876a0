import type { Logger } from 'pino';
import { WebSocket } from 'ws';
import { encodeNode, decodeNode, type BinaryNode } from '../binary/node-codec.js';
import { encodeFrame, FrameDecoder } from '../transport/frame-codec.js';
import { NoiseHandshake, type ClientFinish } from '../transport/noise-handshake.js';
import type { NoiseTransport } from '../transport/noise-transport.js';
import type { X25519Key } from '../transport/x25519.js';

export interface ConnectionHandlers {
  /** The Noise handshake finished: decide between registration (QR / code) and login. */
  onHandshake(conn: ClientConnection, finish: ClientFinish): void;
  /** A stanza arrived on an established connection (stanzas of one connection are handled in order). */
  onStanza(conn: ClientConnection, node: BinaryNode): Promise<void>;
  onClose(conn: ClientConnection): void;
}

export interface ConnectionOptions {
  serverStatic: X25519Key;
  certChain: Buffer;
  logger: Logger;
  handlers: ConnectionHandlers;
  handshakeTimeoutMs: number;
}

/** The companion device logged in on this connection. */
export interface DeviceAddress {
  phone: string;
  deviceId: number;
}

type Phase = 'hello' | 'finish' | 'open' | 'closed';

/** A client this many stanzas ahead of the simulator is flooding it and gets disconnected. */
const MAX_PENDING_STANZAS = 5000;

let nextConnectionId = 1;

/**
 * One client WebSocket: frames → Noise handshake → encrypted WABinary stanzas, in order.
 * Protocol violations close the connection with a log line; they never throw out of here.
 */
export class ClientConnection {
  readonly id = nextConnectionId++;
  /** the client's static Noise key, known once the handshake is done */
  clientStatic: Buffer | undefined;
  /** set once a companion device logged in */
  device: DeviceAddress | undefined;
  private phase: Phase = 'hello';
  private readonly decoder = new FrameDecoder();
  private handshake: NoiseHandshake | undefined;
  private transport: NoiseTransport | undefined;
  private stanzaChain: Promise<void> = Promise.resolve();
  private pendingStanzas = 0;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private readonly replyWaiters = new Map<string, { resolve(node: BinaryNode): void; reject(err: Error): void }>();
  private nextStanzaId = 1;

  constructor(
    private readonly ws: WebSocket,
    private readonly options: ConnectionOptions,
  ) {
    this.handshake = new NoiseHandshake(options.serverStatic, options.certChain);
    this.handshakeTimer = setTimeout(() => this.fail('handshake timed out'), options.handshakeTimeoutMs);
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => this.onMessage(data, isBinary));
    ws.on('close', () => this.onClosed());
    ws.on('error', (err: Error) => this.fail(`socket error: ${err.message}`));
  }

  get isOpen(): boolean {
    return this.phase === 'open' && this.ws.readyState === WebSocket.OPEN;
  }

  /** A fresh id for a server-initiated stanza. */
  newStanzaId(): string {
    return `${this.id}.${this.nextStanzaId++}`;
  }

  /** Encrypts and sends one stanza; a no-op once the socket is closing. */
  send(node: BinaryNode): void {
    if (!this.transport || this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(encodeFrame(this.transport.encrypt(encodeNode(node))));
  }

  /** Sends an already encoded stanza (e.g. from the offline queue). */
  sendEncoded(stanza: Buffer): void {
    if (!this.transport || this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(encodeFrame(this.transport.encrypt(stanza)));
  }

  /** Sends a last stanza (a stream error or failure), then closes the socket. */
  closeWith(node?: BinaryNode): void {
    if (node) this.send(node);
    this.close();
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
    this.onClosed();
  }

  /** Cuts the socket without a closing handshake. */
  terminate(): void {
    this.ws.terminate();
    this.onClosed();
  }

  /** Resolves with the client's iq reply to the stanza with `id`; rejects on timeout or close. */
  waitForReply(id: string, timeoutMs: number): Promise<BinaryNode> {
    return new Promise((resolve, reject) => {
      const settle = (outcome: () => void): void => {
        clearTimeout(timer);
        this.replyWaiters.delete(id);
        outcome();
      };
      const timer = setTimeout(() => settle(() => reject(new Error(`no reply to ${id} within ${timeoutMs} ms`))), timeoutMs);
      this.replyWaiters.set(id, {
        resolve: (node) => settle(() => resolve(node)),
        reject: (err) => settle(() => reject(err)),
      });
    });
  }

  private isClosed(): boolean {
    return this.phase === 'closed';
  }

  private onMessage(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    if (this.phase === 'closed') return;
    if (!isBinary) return this.fail('text WebSocket message');
    const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    try {
      for (const frame of this.decoder.push(chunk)) {
        if (this.isClosed()) return;
        this.onFrame(frame);
      }
    } catch (err) {
      this.fail((err as Error).message);
    }
  }

  private onFrame(frame: Buffer): void {
    if (this.phase === 'hello') {
      this.ws.send(encodeFrame(this.handshake!.respondToHello(frame)));
      this.phase = 'finish';
      return;
    }
    if (this.phase === 'finish') {
      const finish = this.handshake!.readFinish(frame);
      this.transport = this.handshake!.split();
      this.handshake = undefined;
      clearTimeout(this.handshakeTimer);
      this.clientStatic = finish.clientStatic;
      this.phase = 'open';
      this.options.handlers.onHandshake(this, finish);
      return;
    }
    // decrypt in arrival order (the counter), decode and handle on the connection's chain
    const plaintext = this.transport!.decrypt(frame);
    if (++this.pendingStanzas > MAX_PENDING_STANZAS) return this.fail(`more than ${MAX_PENDING_STANZAS} stanzas pending`);
    this.stanzaChain = this.stanzaChain.then(() => this.handleStanza(plaintext)).finally(() => this.pendingStanzas--);
  }

  /** Runs even after the socket closed: what the client sent before closing (e.g. its logout) still counts. */
  private async handleStanza(plaintext: Buffer): Promise<void> {
    let node: BinaryNode;
    try {
      node = await decodeNode(plaintext);
    } catch (err) {
      return this.fail(`undecodable stanza: ${(err as Error).message}`);
    }
    const waiter = node.tag === 'iq' && node.attrs.id ? this.replyWaiters.get(node.attrs.id) : undefined;
    if (waiter && (node.attrs.type === 'result' || node.attrs.type === 'error')) return waiter.resolve(node);
    try {
      await this.options.handlers.onStanza(this, node);
    } catch (err) {
      this.fail(`stanza <${node.tag}> failed: ${(err as Error).message}`, err);
    }
  }

  private fail(reason: string, err?: unknown): void {
    if (this.phase === 'closed') return;
    this.options.logger.warn({ conn: this.id, device: this.device, err }, `closing connection: ${reason}`);
    this.close();
  }

  private onClosed(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    clearTimeout(this.handshakeTimer);
    for (const waiter of [...this.replyWaiters.values()]) waiter.reject(new Error('connection closed before the reply'));
    this.options.handlers.onClose(this);
  }
}
