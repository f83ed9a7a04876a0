import { unixTimestampSeconds } from 'baileys';
import type { WorldDatabase } from './database.js';

export interface QueuedStanza {
  seq: number;
  /** the stanza's delivery key: its tag, or `receipt:<type>` */
  kind: string;
  stanzaId: string;
  /** the encoded stanza, without the `offline` attribute */
  stanza: Buffer;
  attempts: number;
}

/**
 * Store-and-forward for companion devices: every stanza for a device is queued before it is sent, and
 * leaves the queue when the device acknowledges it (a receipt or an ack). What is left is resent, marked
 * offline, at the device's next login.
 */
export class DeliveryQueue {
  private readonly insertStanza;
  private readonly readPending;
  private readonly deleteStanza;
  private readonly countAttempt;
  private readonly deleteSeq;
  private readonly clearDevice;

  constructor(db: WorldDatabase) {
    this.insertStanza = db.prepare(
      'INSERT INTO delivery_queue (phone, device_id, kind, stanza_id, stanza, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.readPending = db.prepare<[string, number, number, number], { seq: number; kind: string; stanza_id: string; stanza: Buffer; attempts: number }>(
      'SELECT seq, kind, stanza_id, stanza, attempts FROM delivery_queue WHERE phone = ? AND device_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    );
    this.deleteStanza = db.prepare('DELETE FROM delivery_queue WHERE phone = ? AND device_id = ? AND stanza_id = ? AND kind = ?');
    this.countAttempt = db.prepare('UPDATE delivery_queue SET attempts = attempts + 1 WHERE seq = ?');
    this.deleteSeq = db.prepare('DELETE FROM delivery_queue WHERE seq = ?');
    this.clearDevice = db.prepare('DELETE FROM delivery_queue WHERE phone = ? AND device_id = ?');
  }

  enqueue(phone: string, deviceId: number, kind: string, stanzaId: string, stanza: Buffer): void {
    this.insertStanza.run(phone, deviceId, kind, stanzaId, stanza, unixTimestampSeconds());
  }

  /** Up to `limit` queued stanzas after `afterSeq`, oldest first. */
  pending(phone: string, deviceId: number, afterSeq: number, limit: number): QueuedStanza[] {
    return this.readPending.all(phone, deviceId, afterSeq, limit).map((r) => ({
      seq: r.seq,
      kind: r.kind,
      stanzaId: r.stanza_id,
      stanza: r.stanza,
      attempts: r.attempts,
    }));
  }

  /** The device acknowledged the `kind` stanza with `stanzaId`; returns whether one was queued. */
  acknowledge(phone: string, deviceId: number, kind: string, stanzaId: string): boolean {
    return this.deleteStanza.run(phone, deviceId, stanzaId, kind).changes > 0;
  }

  recordAttempt(seq: number): void {
    this.countAttempt.run(seq);
  }

  /** Drops one stanza that was delivered too often without an acknowledgement. */
  drop(seq: number): void {
    this.deleteSeq.run(seq);
  }

  clear(phone: string, deviceId: number): void {
    this.clearDevice.run(phone, deviceId);
  }
}
