import type { Clock } from '../core/clock.js';
import { AppError, notFound } from '../core/errors.js';
import { type EventBus, type MessageStatus, makeEvent } from '../core/events.js';
import { newId } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import type { InboundText, ReceiptUpdate, SessionService, SessionTraffic } from '../sessions/index.js';
import { ContactDirectory } from './contact-directory.js';
import { type HistoryCursor, MessageRepo, type MessageRow, type MessageView, toMessageView } from './message-repo.js';
import { RetryingLanes } from './retrying-lanes.js';
import { SendQueue } from './send-queue.js';

export interface MessageServiceDeps {
  repo: MessageRepo;
  contacts: ContactDirectory;
  sessions: SessionService;
  events: EventBus;
  logger: Logger;
  clock: Clock;
  queueLimit: number;
  /** Canonical recipient jid for user input (engine-specific); throws AppError. */
  normalizeJid(to: string): string;
  /** A fresh WhatsApp message id, chosen before sending so receipts always match. */
  newWaId(): string;
  maxAttempts?: number;
  /** Waits between tries of a write that failed (inbound messages, receipts); tests shorten them. */
  retryDelaysMs?: readonly number[];
  /** How long close() keeps retrying writes that still fail. */
  closeBudgetMs?: number;
}

const RANK: Record<MessageStatus, number> = { pending: 0, sent: 1, delivered: 2, read: 3, failed: -1 };
const BEFORE: Record<Exclude<MessageStatus, 'pending'>, MessageStatus[]> = {
  sent: ['pending'],
  delivered: ['pending', 'sent'],
  read: ['pending', 'sent', 'delivered'],
  failed: ['pending', 'sent'],
};
export const MAX_TEXT = 65_536;

export interface ChatView {
  chat: string;
  phone: string | null;
  lid: string | null;
  name: string | null;
  lastMessage: MessageView | null;
  unread: number;
  updatedAt: string;
}

interface QueueItem {
  id: string;
}

/** Sending, receiving and history of messages; the session layer's traffic lands here. */
export class MessageService implements SessionTraffic {
  private readonly queues = new Map<string, SendQueue<QueueItem>>();
  /** A session's inbound messages, receipts and open/stop bookkeeping: in order, retried on database errors. */
  private readonly lanes: RetryingLanes;

  constructor(private readonly deps: MessageServiceDeps) {
    this.lanes = new RetryingLanes({ logger: deps.logger, delaysMs: deps.retryDelaysMs, closeBudgetMs: deps.closeBudgetMs });
  }

  async send(workspaceId: string, sessionId: string, input: { to: string; text: string }): Promise<{ id: string; status: MessageStatus; waId: string; chat: string }> {
    const session = await this.deps.sessions.get(workspaceId, sessionId);
    if (!input.text.length) throw new AppError('validation_failed', 'text must not be empty');
    if (input.text.length > MAX_TEXT) throw new AppError('validation_failed', `text must be at most ${MAX_TEXT} characters`);
    const jid = this.deps.normalizeJid(input.to);
    const rt = this.deps.sessions.runtime(sessionId);
    if (!rt?.connection) throw new AppError('session_not_open', `session is '${session.status}'; messages can be sent only while it is 'open'`);
    const queue = this.queue(sessionId);
    // the place in the queue is taken before anything is stored: a refused message leaves no row
    if (!queue.reserve()) throw new AppError('queue_full', `the send queue of this session is full (${queue.size} waiting); retry later`);
    let queued = false;
    try {
      const chat = await this.deps.contacts.canonical(sessionId, jid);
      const now = this.deps.clock.now();
      const row: MessageRow = {
        id: newId('msg', now),
        workspace_id: workspaceId,
        session_id: sessionId,
        wa_id: this.deps.newWaId(),
        chat,
        direction: 'out',
        sender: session.jid ?? '',
        remote_jid: jid,
        text: input.text,
        status: 'pending',
        error: null,
        push_name: null,
        attempts: 0,
        timestamp: now,
        created_at: now,
        updated_at: now,
      };
      await this.deps.repo.insert(row);
      queue.push({ id: row.id }, true);
      queued = true;
      return { id: row.id, status: 'pending', waId: row.wa_id, chat };
    } finally {
      if (!queued) queue.release();
    }
  }

  async get(workspaceId: string, sessionId: string, messageId: string): Promise<MessageView> {
    const session = await this.deps.sessions.get(workspaceId, sessionId);
    const row = await this.deps.repo.get(messageId);
    if (!row || row.session_id !== sessionId) throw notFound('message', messageId, 'message_not_found');
    return toMessageView(row, session.jid);
  }

  async history(
    workspaceId: string,
    sessionId: string,
    opts: { chat?: string; limit: number; cursor?: string },
  ): Promise<{ messages: MessageView[]; nextCursor: string | null }> {
    const session = await this.deps.sessions.get(workspaceId, sessionId);
    const chat = opts.chat ? await this.deps.contacts.canonical(sessionId, this.deps.normalizeJid(opts.chat)) : undefined;
    const before = opts.cursor ? decodeCursor(opts.cursor) : undefined;
    const rows = await this.deps.repo.history(sessionId, { chat, limit: opts.limit, before });
    const last = rows[rows.length - 1];
    return {
      messages: rows.map((r) => toMessageView(r, session.jid)),
      nextCursor: rows.length === opts.limit && last ? encodeCursor({ timestamp: last.timestamp, id: last.id }) : null,
    };
  }

  async chats(workspaceId: string, sessionId: string, limit: number): Promise<ChatView[]> {
    const session = await this.deps.sessions.get(workspaceId, sessionId);
    const rows = await this.deps.repo.chats(sessionId, limit);
    const info = await this.deps.contacts.info(sessionId, rows.map((r) => r.chat));
    return Promise.all(
      rows.map(async (r) => {
        const last = await this.deps.repo.latestIn(sessionId, r.chat);
        const who = info.get(r.chat);
        return {
          chat: r.chat,
          phone: who?.phone ?? (r.chat.endsWith('@s.whatsapp.net') ? r.chat.split('@')[0] : null),
          lid: who?.lid ?? (r.chat.endsWith('@lid') ? r.chat : null),
          name: who?.name ?? null,
          lastMessage: last ? toMessageView(last, session.jid) : null,
          unread: r.unread,
          updatedAt: new Date(r.last_ts).toISOString(),
        };
      }),
    );
  }

  /** Marks a chat's received messages read and sends the read receipts (blue ticks). */
  async markChatRead(workspaceId: string, sessionId: string, chatInput: string): Promise<number> {
    await this.deps.sessions.get(workspaceId, sessionId);
    const chat = await this.deps.contacts.canonical(sessionId, this.deps.normalizeJid(chatInput));
    const rows = await this.deps.repo.unreadInbound(sessionId, chat);
    if (!rows.length) return 0;
    const conn = this.deps.sessions.runtime(sessionId)?.connection;
    if (conn) await conn.markRead(rows.map((r) => ({ remoteJid: r.remote_jid, waId: r.wa_id })));
    await this.deps.repo.markRead(
      rows.map((r) => r.id),
      this.deps.clock.now(),
    );
    return rows.length;
  }

  // ——— SessionTraffic ———

  message(sessionId: string, workspaceId: string, msg: InboundText): void {
    // WhatsApp has acked it already: a failed write is retried, never dropped
    const row = this.inboundRow(sessionId, workspaceId, msg);
    void this.lanes.run(sessionId, 'storing an inbound message', () => this.onInbound(row, msg), { sessionId, waId: msg.waId, from: msg.remoteJid });
  }

  receipt(sessionId: string, workspaceId: string, update: ReceiptUpdate): void {
    void this.lanes.run(sessionId, 'applying a receipt', () => this.onReceipt(sessionId, workspaceId, update), { sessionId, waId: update.waId, status: update.status });
  }

  opened(sessionId: string): void {
    void this.lanes.run(sessionId, 're-queueing pending messages', () => this.requeuePending(sessionId), { sessionId });
  }

  stopped(sessionId: string, reason: string): void {
    // a fresh queue for the next start: a send still hanging on the closed socket holds up nothing
    this.queues.get(sessionId)?.drain();
    this.queues.delete(sessionId);
    const stoppedAt = this.deps.clock.now();
    void this.lanes.run(sessionId, 'failing pending messages', () => this.failPending(sessionId, reason, stoppedAt), { sessionId });
  }

  async deleted(sessionId: string): Promise<void> {
    this.queues.get(sessionId)?.drain();
    this.queues.delete(sessionId);
    await this.lanes.idle(sessionId); // what arrived before the delete is not written after it
    await this.deps.repo.deleteSession(sessionId);
    await this.deps.contacts.forgetSession(sessionId);
  }

  /** Messages still waiting when a session was stopped or logged out fail with a reason (not those accepted after a new start). */
  private async failPending(sessionId: string, reason: string, stoppedAt: number): Promise<void> {
    for (const row of await this.deps.repo.pendingOutgoing(sessionId, 10_000)) {
      if (row.created_at <= stoppedAt) await this.setStatus(row, 'failed', `${reason} before WhatsApp accepted the message`);
    }
  }

  /** Shutdown, after the sessions are closed: waits until received messages and receipts are stored. */
  async close(): Promise<void> {
    await this.lanes.close();
  }

  // ——— internals ———

  private queue(sessionId: string): SendQueue<QueueItem> {
    let q = this.queues.get(sessionId);
    if (!q) {
      q = new SendQueue<QueueItem>({
        limit: this.deps.queueLimit,
        run: (item) => this.deliver(sessionId, item.id),
        onError: (item, err) => {
          // a database error around the send: the message stays first in line and is tried again
          this.deps.logger.error({ err, sessionId, messageId: item.id }, 'send failed unexpectedly; retrying in 1 s');
          setTimeout(() => this.queues.get(sessionId)?.resume(), 1000).unref();
        },
      });
      this.queues.set(sessionId, q);
    }
    return q;
  }

  private async deliver(sessionId: string, id: string): Promise<'done' | 'retry_later'> {
    const row = await this.deps.repo.get(id);
    if (!row || row.status !== 'pending') return 'done';
    const conn = this.deps.sessions.runtime(sessionId)?.connection;
    if (!conn) return 'retry_later'; // the session dropped: keep it, resend when it is open again
    const attempts = row.attempts + 1;
    await this.deps.repo.update(id, { attempts, updated_at: this.deps.clock.now() });
    try {
      await conn.sendText(row.chat, row.text, { waId: row.wa_id });
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      const stillOpen = !!this.deps.sessions.runtime(sessionId)?.connection;
      if (attempts < (this.deps.maxAttempts ?? 5) && (!stillOpen || /closed|timed? ?out|lost/i.test(message))) {
        this.deps.logger.warn({ sessionId, messageId: id, attempts, err: message }, 'send interrupted; will retry');
        if (stillOpen) setTimeout(() => this.queues.get(sessionId)?.resume(), 1000).unref();
        return 'retry_later';
      }
      await this.setStatus(row, 'failed', message);
      return 'done';
    }
    // Handed to the socket, not yet accepted: `sent` is WhatsApp's ack (a receipt). Until it comes
    // the row stays pending, so a message lost with the connection goes out again after a reconnect
    // or a restart (same WhatsApp id), and a stop fails it.
    return 'done';
  }

  private async requeuePending(sessionId: string): Promise<void> {
    const q = this.queue(sessionId);
    q.drain();
    // every stored pending message, in the order it was accepted (a restart or a lowered limit included)
    for (const r of await this.deps.repo.pendingOutgoing(sessionId, 10_000)) q.push({ id: r.id });
    q.resume();
  }

  private inboundRow(sessionId: string, workspaceId: string, msg: InboundText): MessageRow {
    const now = this.deps.clock.now();
    return {
      id: newId('msg', now),
      workspace_id: workspaceId,
      session_id: sessionId,
      wa_id: msg.waId,
      chat: '', // resolved when stored
      direction: msg.fromMe ? 'out' : 'in',
      sender: '',
      remote_jid: msg.remoteJid,
      text: msg.text,
      status: msg.fromMe ? 'sent' : 'delivered',
      error: null,
      push_name: msg.fromMe ? null : msg.pushName,
      attempts: 0,
      // WhatsApp's time has one-second resolution: a live message is ordered by when it arrived
      // (as a phone shows it), a message queued while we were offline by when it was sent
      timestamp: msg.offline ? msg.timestamp : Math.max(now, msg.timestamp),
      created_at: now,
      updated_at: now,
    };
  }

  /** Stores a received message (the row is built once, so a retried write keeps its id and time) and announces it. */
  private async onInbound(draft: MessageRow, msg: InboundText): Promise<void> {
    const sessionId = draft.session_id;
    const workspaceId = draft.workspace_id;
    if (msg.fromMe) {
      // our own message: either one we sent through the API (already stored) or one sent from the phone
      const mine = await this.deps.repo.byWaId(sessionId, msg.waId);
      if (mine) return;
    }
    const chat = await this.deps.contacts.resolve(workspaceId, sessionId, { phone: msg.chatPhone, lid: msg.chatLid, pushName: msg.fromMe ? null : msg.pushName }, draft.created_at);
    const row: MessageRow = { ...draft, chat, sender: msg.fromMe ? '' : chat };
    let inserted = await this.deps.repo.insert(row);
    // a try whose answer was lost may have stored it already: that row is ours, announce it
    if (!inserted) inserted = (await this.deps.repo.byWaId(sessionId, msg.waId))?.id === row.id;
    if (!inserted || msg.fromMe) return; // a duplicate (offline redelivery) or our own echo
    this.deps.events.publish(
      makeEvent(
        'message.received',
        workspaceId,
        sessionId,
        { messageId: row.id, waId: row.wa_id, from: chat, chat, phone: msg.chatPhone, text: msg.text, pushName: msg.pushName, timestamp: new Date(msg.timestamp).toISOString() },
        this.deps.clock,
      ),
    );
  }

  private async onReceipt(sessionId: string, _workspaceId: string, update: ReceiptUpdate): Promise<void> {
    const row = await this.deps.repo.byWaId(sessionId, update.waId);
    if (!row || row.direction !== 'out') return;
    await this.setStatus(row, update.status, update.error);
  }

  private async setStatus(row: MessageRow, status: Exclude<MessageStatus, 'pending'>, error?: string): Promise<void> {
    if (status !== 'failed' && RANK[status] <= RANK[row.status as MessageStatus]) return;
    const now = this.deps.clock.now();
    const moved = await this.deps.repo.advance(row.id, status, BEFORE[status], now, status === 'failed' ? (error ?? 'failed') : undefined);
    if (!moved) return;
    this.deps.events.publish(
      makeEvent('message.status', row.workspace_id, row.session_id, { messageId: row.id, waId: row.wa_id, status, chat: row.chat, ...(status === 'failed' ? { error: error ?? 'failed' } : {}) }, this.deps.clock),
    );
  }
}

export function encodeCursor(c: HistoryCursor): string {
  return Buffer.from(`${c.timestamp}:${c.id}`).toString('base64url');
}

export function decodeCursor(s: string): HistoryCursor {
  const raw = Buffer.from(s, 'base64url').toString();
  const i = raw.indexOf(':');
  const timestamp = Number(raw.slice(0, i));
  if (i < 1 || !Number.isFinite(timestamp) || !raw.slice(i + 1)) throw new AppError('validation_failed', 'cursor is not valid; pass the nextCursor of a previous page');
  return { timestamp, id: raw.slice(i + 1) };
}
