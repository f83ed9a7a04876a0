import type { StatsSnapshot } from '../connection/stats.js';

/** A thin client for the simulator's admin API, as tests and scripts use it. */
export interface AdminReply<T = any> {
  status: number;
  body: T;
}

export class AdminClient {
  constructor(private readonly baseUrl: string) {}

  async request<T = any>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<AdminReply<T>> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  /** Like `request`, but throws unless the answer is 2xx. */
  async ok<T = any>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const reply = await this.request<T>(method, path, body);
    if (reply.status < 200 || reply.status > 299) {
      throw new Error(`${method} ${path} → ${reply.status} ${JSON.stringify(reply.body)}`);
    }
    return reply.body;
  }

  scan(qr: string, phone?: string): Promise<{ phone: string; jid: string; lid: string; deviceId: number }> {
    return this.ok('POST', '/admin/scan', { qr, phone });
  }

  pairingCode(phone: string, code: string): Promise<{ phone: string; jid: string }> {
    return this.ok('POST', '/admin/pairing-code', { phone, code });
  }

  stats(): Promise<StatsSnapshot> {
    return this.ok('GET', '/admin/stats');
  }

  logout(phone: string): Promise<{ removedDevices: number[] }> {
    return this.ok('POST', `/admin/accounts/${phone}/logout`);
  }

  drop(phone: string): Promise<{ droppedConnections: number }> {
    return this.ok('POST', `/admin/accounts/${phone}/drop`);
  }

  contactSend(contact: string, to: string, text: string): Promise<{ messageId: string }> {
    return this.ok('POST', `/admin/contacts/${contact}/send`, { to, text });
  }

  contactInbox(contact: string): Promise<{ messages: { id: string; from: string; text: string; timestamp: number }[] }> {
    return this.ok('GET', `/admin/contacts/${contact}/inbox`);
  }

  contactRead(contact: string, messageIds: string[]): Promise<unknown> {
    return this.ok('POST', `/admin/contacts/${contact}/read`, { messageIds });
  }

  accountInbox(phone: string): Promise<{ messages: { id: string; from: string; to: string; text: string; timestamp: number }[] }> {
    return this.ok('GET', `/admin/accounts/${phone}/inbox`);
  }
}
