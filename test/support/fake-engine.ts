import type { AccountInfo, ConnectOptions, Engine, EngineConnection, EngineListener } from '../../src/sessions/index.js';

/**
 * An engine whose connections the test drives by hand: emit QR/open/close, decide what a send
 * does. For unit tests of the session runtime and messaging that don't need the protocol.
 */
export class FakeConnection implements EngineConnection {
  sent: Array<{ toJid: string; text: string; waId: string }> = [];
  read: Array<{ remoteJid: string; waId: string }> = [];
  ended = false;
  loggedOut = false;
  /** What a send does; default: accepted at once. */
  onSend: (toJid: string, text: string, waId: string) => Promise<void> = async () => {};
  /** Whether the server acks each send (a `sent` receipt), as WhatsApp does. */
  acks = true;

  constructor(
    readonly opts: ConnectOptions,
    readonly listener: EngineListener,
  ) {}

  async requestPairingCode(): Promise<string> {
    return 'ABCD1234';
  }
  async sendText(toJid: string, text: string, { waId }: { waId: string }): Promise<void> {
    await this.onSend(toJid, text, waId);
    this.sent.push({ toJid, text, waId });
    if (this.acks) this.listener.receipt({ waId, chatJid: toJid, status: 'sent' });
  }
  async markRead(items: Array<{ remoteJid: string; waId: string }>): Promise<void> {
    this.read.push(...items);
  }
  async logout(): Promise<void> {
    this.loggedOut = true;
    this.ended = true;
  }
  async end(): Promise<void> {
    this.ended = true;
  }
  open(account: Partial<AccountInfo> = {}): void {
    this.listener.open({ phone: '6281100000001', jid: '6281100000001:1@s.whatsapp.net', lid: null, pushName: 'Test', ...account });
  }
}

export class FakeEngine implements Engine {
  readonly connections: FakeConnection[] = [];
  private waiters: Array<(c: FakeConnection) => void> = [];
  private ids = 0;

  /** Errors the next connect attempts throw, in order (as the real engine does when the state can't be loaded). */
  readonly connectErrors: Error[] = [];
  /** Connect attempts made, failed ones included. */
  attempts = 0;

  async connect(opts: ConnectOptions): Promise<EngineConnection> {
    this.attempts++;
    const err = this.connectErrors.shift();
    if (err) throw err;
    const c = new FakeConnection(opts, opts.listener);
    this.connections.push(c);
    for (const w of this.waiters.splice(0)) w(c);
    return c;
  }
  normalizeJid(to: string): string {
    const digits = to.replace(/\D/g, '');
    if (to.includes('@')) return to;
    if (digits.length < 6) throw new Error('bad jid');
    return `${digits}@s.whatsapp.net`;
  }
  newMessageId(): string {
    return `3EB0FAKE${(++this.ids).toString(16).padStart(8, '0')}`;
  }
  async close(): Promise<void> {}

  get last(): FakeConnection | undefined {
    return this.connections[this.connections.length - 1];
  }
  /** The next connection made (or resolves at once with `after`-th connection if it exists). */
  nextConnection(count = this.connections.length + 1): Promise<FakeConnection> {
    if (this.connections.length >= count) return Promise.resolve(this.connections[count - 1]);
    return new Promise((resolve) => this.waiters.push((c) => (this.connections.length >= count ? resolve(c) : this.nextConnection(count).then(resolve))));
  }
}
