import { unixTimestampSeconds } from 'baileys';
import type { WorldDatabase } from './database.js';

/** 'lid_only': LID-addressed without the sender's phone number (a contact whose number is not shared) */
export type Addressing = 'lid' | 'pn' | 'lid_only';
export type OutboxStatus = 'sent' | 'delivered' | 'read';

/** A message a simulated phone sent, kept to answer retry receipts and to track its status. */
export interface OutboxMessage {
  id: string;
  toPhone: string;
  addressing: Addressing;
  /** "peer" for messages to its own companions (history sync), "" otherwise */
  category: string;
  /** the encoded proto.Message (unpadded) */
  message: Buffer;
  text: string | undefined;
  status: OutboxStatus;
  createdAt: number;
}

interface OutboxRow {
  id: string;
  to_phone: string;
  addressing: string;
  category: string;
  message: Buffer;
  text: string | null;
  status: string;
  created_at: number;
}

const RANK: Record<OutboxStatus, number> = { sent: 0, delivered: 1, read: 2 };

export class Outbox {
  private readonly insertRow;
  private readonly findRow;
  private readonly listRows;
  private readonly setStatus;

  constructor(db: WorldDatabase) {
    this.insertRow = db.prepare(`INSERT OR REPLACE INTO outbox (phone, id, to_phone, addressing, category, message, text, status, created_at)
      VALUES (@phone, @id, @to_phone, @addressing, @category, @message, @text, 'sent', @created_at)`);
    this.findRow = db.prepare<[string, string], OutboxRow>('SELECT * FROM outbox WHERE phone = ? AND id = ?');
    this.listRows = db.prepare<[string, number], OutboxRow>(
      "SELECT * FROM outbox WHERE phone = ? AND category = '' ORDER BY created_at DESC, rowid DESC LIMIT ?",
    );
    this.setStatus = db.prepare('UPDATE outbox SET status = ? WHERE phone = ? AND id = ?');
  }

  add(phone: string, message: Omit<OutboxMessage, 'status' | 'createdAt'>): void {
    this.insertRow.run({
      phone,
      id: message.id,
      to_phone: message.toPhone,
      addressing: message.addressing,
      category: message.category,
      message: message.message,
      text: message.text ?? null,
      created_at: unixTimestampSeconds(),
    });
  }

  find(phone: string, id: string): OutboxMessage | undefined {
    const row = this.findRow.get(phone, id);
    return row && toMessage(row);
  }

  /** The newest `limit` chat messages (not peer messages), newest first. */
  list(phone: string, limit = 1000): OutboxMessage[] {
    return this.listRows.all(phone, limit).map(toMessage);
  }

  /** Moves a message forward (sent → delivered → read); never back. Returns whether it changed. */
  advance(phone: string, id: string, status: OutboxStatus): boolean {
    const current = this.find(phone, id);
    if (!current || RANK[status] <= RANK[current.status]) return false;
    this.setStatus.run(status, phone, id);
    return true;
  }
}

function toMessage(row: OutboxRow): OutboxMessage {
  return {
    id: row.id,
    toPhone: row.to_phone,
    addressing: row.addressing as Addressing,
    category: row.category,
    message: row.message,
    text: row.text ?? undefined,
    status: row.status as OutboxStatus,
    createdAt: row.created_at,
  };
}
