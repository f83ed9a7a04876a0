import type { WorldDatabase } from './database.js';

/** A message a simulated phone received and decrypted. */
export interface InboxMessage {
  id: string;
  fromPhone: string;
  fromDevice: number;
  /** the jid the sender addressed (for an own copy: the destination chat) */
  chat: string;
  /** a copy of a message the account itself sent from a companion (DeviceSentMessage) */
  ownCopy: boolean;
  /** the proto.Message field that carried the content, e.g. "conversation" */
  type: string;
  text: string | undefined;
  timestamp: number;
  readAt: number | undefined;
}

interface InboxRow {
  id: string;
  from_phone: string;
  from_device: number;
  chat: string;
  own_copy: number;
  type: string;
  text: string | null;
  timestamp: number;
  read_at: number | null;
}

export class Inbox {
  private readonly insertRow;
  private readonly listRows;
  private readonly findRows;
  private readonly markRead;

  constructor(db: WorldDatabase) {
    this.insertRow = db.prepare(`INSERT INTO inbox (phone, id, from_phone, from_device, chat, own_copy, type, text, timestamp)
      VALUES (@phone, @id, @from_phone, @from_device, @chat, @own_copy, @type, @text, @timestamp)`);
    this.listRows = db.prepare<[string, number], InboxRow>('SELECT * FROM inbox WHERE phone = ? ORDER BY seq DESC LIMIT ?');
    this.findRows = db.prepare<[string, string], InboxRow>('SELECT * FROM inbox WHERE phone = ? AND id = ? ORDER BY seq');
    this.markRead = db.prepare('UPDATE inbox SET read_at = ? WHERE phone = ? AND id = ? AND read_at IS NULL');
  }

  add(phone: string, message: Omit<InboxMessage, 'readAt'>): void {
    this.insertRow.run({
      phone,
      id: message.id,
      from_phone: message.fromPhone,
      from_device: message.fromDevice,
      chat: message.chat,
      own_copy: message.ownCopy ? 1 : 0,
      type: message.type,
      text: message.text ?? null,
      timestamp: message.timestamp,
    });
  }

  /** The newest `limit` messages, returned oldest first. */
  list(phone: string, limit = 1000): InboxMessage[] {
    return this.listRows.all(phone, limit).reverse().map(toMessage);
  }

  find(phone: string, id: string): InboxMessage[] {
    return this.findRows.all(phone, id).map(toMessage);
  }

  setRead(phone: string, id: string, at: number): void {
    this.markRead.run(at, phone, id);
  }
}

function toMessage(row: InboxRow): InboxMessage {
  return {
    id: row.id,
    fromPhone: row.from_phone,
    fromDevice: row.from_device,
    chat: row.chat,
    ownCopy: row.own_copy === 1,
    type: row.type,
    text: row.text ?? undefined,
    timestamp: row.timestamp,
    readAt: row.read_at ?? undefined,
  };
}
