import { EventEmitter } from 'node:events';
import makeWASocket, {
  Browsers,
  initAuthCreds,
  WA_CERT_DETAILS,
  type AuthenticationCreds,
  type BaileysEventMap,
  type BinaryNode,
  type ConnectionState,
  type SignalKeyStore,
  type MessageUpsertType,
  type UserFacingSocketConfig,
  type WAMessage,
  type WASocket,
} from 'baileys';
import { pino, type Logger } from 'pino';
import type { AdminClient } from './admin-client.js';
import { memoryKeyStore } from './memory-key-store.js';

export interface SimEndpoint {
  wsUrl: string;
  rootPublicKey: Buffer;
}

export interface TestClientOptions {
  logger?: Logger;
  /** extra Baileys socket config */
  config?: Partial<UserFacingSocketConfig>;
  /** reuse existing creds and keys (default: a new, unlinked companion) */
  auth?: { creds: AuthenticationCreds; keys: SignalKeyStore };
}

const DEFAULT_TIMEOUT_MS = 15_000;

export interface ReceivedMessage {
  message: WAMessage;
  /** "notify" for live messages, "append" for ones delivered offline */
  type: MessageUpsertType;
}

/** The status code Baileys reports for a closed connection (`lastDisconnect.error.output.statusCode`). */
export function closeStatus(update: Partial<ConnectionState>): number | undefined {
  const error = update.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined;
  return error?.output?.statusCode;
}

/**
 * An unmodified Baileys client pointed at the simulator, with in-memory creds and keys that survive
 * reconnects (like a real app's auth state).
 */
export class TestClient {
  readonly creds: AuthenticationCreds;
  readonly keys: SignalKeyStore;
  sock: WASocket | undefined;
  private readonly logger: Logger;
  private readonly closedSockets = new WeakSet<WASocket>();
  /** every message upserted on any socket of this client, in order */
  readonly received: ReceivedMessage[] = [];
  /** the highest status seen per message id (own messages) */
  readonly statuses = new Map<string, number>();
  private readonly changes = new EventEmitter();

  constructor(
    private sim: SimEndpoint,
    private readonly options: TestClientOptions = {},
  ) {
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.creds = options.auth?.creds ?? initAuthCreds();
    this.keys = options.auth?.keys ?? memoryKeyStore();
  }

  /** Points at another simulator instance (e.g. one restarted on the same data dir). */
  useSimulator(sim: SimEndpoint): void {
    this.sim = sim;
  }

  /** Opens a socket with the current creds. The simulator's root key must be set on the same module instance. */
  connect(config: Partial<UserFacingSocketConfig> = {}): WASocket {
    WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(this.sim.rootPublicKey);
    const sock = makeWASocket({
      auth: { creds: this.creds, keys: this.keys },
      waWebSocketUrl: this.sim.wsUrl,
      logger: this.logger,
      browser: Browsers.ubuntu('Chrome'),
      ...this.options.config,
      ...config,
    });
    sock.ev.on('creds.update', (update) => Object.assign(this.creds, update));
    sock.ev.on('connection.update', (update) => {
      if (update.connection === 'close') this.closedSockets.add(sock);
    });
    sock.ev.on('messages.upsert', ({ messages, type }) => {
      for (const message of messages) {
        this.received.push({ message, type });
        if (message.key.fromMe && message.key.id && message.status) this.recordStatus(message.key.id, message.status);
      }
      this.changes.emit('change');
    });
    sock.ev.on('messages.update', (updates) => {
      for (const { key, update } of updates) if (key.id && update.status) this.recordStatus(key.id, update.status);
      this.changes.emit('change');
    });
    this.sock = sock;
    return sock;
  }

  /** The first event `event` that satisfies `predicate` on the current socket. */
  waitFor<E extends keyof BaileysEventMap>(
    event: E,
    predicate: (data: BaileysEventMap[E]) => boolean = () => true,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<BaileysEventMap[E]> {
    return this.waitForSocket(this.requireSocket(), event, predicate, timeoutMs);
  }

  private waitForSocket<E extends keyof BaileysEventMap>(
    sock: WASocket,
    event: E,
    predicate: (data: BaileysEventMap[E]) => boolean,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<BaileysEventMap[E]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        sock.ev.off(event, listener);
        reject(new Error(`no ${event} event within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (data: BaileysEventMap[E]): void => {
        if (!predicate(data)) return;
        clearTimeout(timer);
        sock.ev.off(event, listener);
        resolve(data);
      };
      sock.ev.on(event, listener);
    });
  }

  async waitForQr(timeoutMs?: number): Promise<string> {
    return (await this.waitFor('connection.update', (u) => !!u.qr, timeoutMs)).qr!;
  }

  /** Resolves when the connection opens; rejects with the status code if it closes first. */
  async waitForOpen(timeoutMs?: number): Promise<void> {
    const update = await this.waitFor('connection.update', (u) => u.connection === 'open' || u.connection === 'close', timeoutMs);
    if (update.connection === 'close') throw new Error(`connection closed with ${closeStatus(update)} instead of opening`);
  }

  /** The status code of the next close. */
  async waitForClose(timeoutMs?: number): Promise<number | undefined> {
    return closeStatus(await this.waitFor('connection.update', (u) => u.connection === 'close', timeoutMs));
  }

  /** Links this client as a new device of `phone` by QR: connect, scan, restart (515), log in. */
  async linkByQr(admin: AdminClient, phone?: string): Promise<{ phone: string; jid: string }> {
    this.connect();
    const qr = await this.waitForQr();
    const closed = this.waitForClose();
    const linked = await admin.scan(qr, phone);
    const status = await closed;
    if (status !== 515) throw new Error(`expected a 515 restart after pairing, got ${status}`);
    await this.reconnect();
    return linked;
  }

  /** The next stanza from the server that satisfies `predicate` (Baileys emits every decoded frame). */
  waitForFrame(predicate: (node: BinaryNode) => boolean, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<BinaryNode> {
    const sock = this.requireSocket();
    return new Promise((resolve, reject) => {
      const onFrame = (frame: BinaryNode | Uint8Array): void => {
        if (frame instanceof Uint8Array || !predicate(frame)) return;
        clearTimeout(timer);
        sock.ws.off('frame', onFrame);
        resolve(frame);
      };
      const timer = setTimeout(() => {
        sock.ws.off('frame', onFrame);
        reject(new Error(`no matching frame within ${timeoutMs} ms`));
      }, timeoutMs);
      sock.ws.on('frame', onFrame);
    });
  }

  /** Resolves once `check` returns something (checked now and after every message event). */
  until<T>(check: () => T | undefined, what: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
    return new Promise((resolve, reject) => {
      const onChange = (): void => {
        const value = check();
        if (value === undefined) return;
        clearTimeout(timer);
        this.changes.off('change', onChange);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.changes.off('change', onChange);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.changes.on('change', onChange);
      onChange();
    });
  }

  /** The first received message whose text is `text`. */
  waitForText(text: string, timeoutMs?: number): Promise<ReceivedMessage> {
    return this.until(() => this.received.find((r) => messageText(r.message) === text), `a message "${text}"`, timeoutMs);
  }

  /** Resolves once own message `id` reached at least `status` (3 = delivered, 4 = read). */
  waitForStatus(id: string, status: number, timeoutMs?: number): Promise<number> {
    return this.until(() => ((this.statuses.get(id) ?? 0) >= status ? this.statuses.get(id) : undefined), `status ${status} of ${id}`, timeoutMs);
  }

  private recordStatus(id: string, status: number): void {
    this.statuses.set(id, Math.max(this.statuses.get(id) ?? 0, status));
  }

  /**
   * Asks for a pairing code (`requestPairingCode`) and resolves once the server acknowledged the request,
   * so a following `POST /admin/pairing-code` finds it.
   */
  async requestPairingCode(phone: string): Promise<string> {
    const sock = this.requireSocket();
    const acknowledged = this.waitForFrame(
      (frame) => frame.tag === 'iq' && Array.isArray(frame.content) && frame.content.some((c) => c.tag === 'link_code_companion_reg'),
    );
    const code = await sock.requestPairingCode(phone);
    await acknowledged;
    return code;
  }

  /** Another client on the same creds and keys (the same device, e.g. to connect it twice). */
  sameDevice(): TestClient {
    return new TestClient(this.sim, { ...this.options, auth: { creds: this.creds, keys: this.keys } });
  }

  /** A new socket with the saved creds, resolved once open. */
  async reconnect(): Promise<WASocket> {
    const sock = this.connect();
    await this.waitForOpen();
    return sock;
  }

  /** Closes the socket and waits until Baileys reports the close. */
  async end(): Promise<void> {
    const sock = this.sock;
    this.sock = undefined;
    if (!sock || this.closedSockets.has(sock)) return;
    const closed = this.waitForSocket(sock, 'connection.update', (u) => u.connection === 'close').catch(() => undefined);
    sock.end(undefined);
    await closed;
  }

  private requireSocket(): WASocket {
    if (!this.sock) throw new Error('connect() first');
    return this.sock;
  }
}

/** The text of a received message (plain or extended text). */
export function messageText(message: WAMessage): string | undefined {
  const content = message.message;
  return content?.conversation ?? content?.extendedTextMessage?.text ?? undefined;
}
