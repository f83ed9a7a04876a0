import type { Logger } from 'pino';
import { encodeNode, type BinaryNode } from '../binary/node-codec.js';
import type { World } from '../world/world.js';
import type { ClientConnection } from './client-connection.js';
import type { DeviceRegistry } from './device-registry.js';

/**
 * What a device's ack names a stanza by: the tag, and for receipts also the receipt type (a delivery and
 * a read receipt can carry the same message id).
 */
export function deliveryKey(tag: string, type: string | undefined): string {
  return tag === 'receipt' && type ? `receipt:${type}` : tag;
}

/** A stanza left unacknowledged after this many logins is dropped. */
export const MAX_DELIVERY_ATTEMPTS = 5;
const RESEND_BATCH = 500;

/**
 * Store-and-forward to companion devices. Every message, receipt or notification for a device is queued
 * (in its offline form) before it is sent live; the device's receipt or ack removes it; whatever is left
 * is resent, marked `offline="1"`, when the device logs in again.
 */
export class DeviceDelivery {
  constructor(
    private readonly world: World,
    private readonly online: DeviceRegistry,
    private readonly logger: Logger,
  ) {}

  deliver(phone: string, deviceId: number, node: BinaryNode): void {
    const id = node.attrs.id;
    if (!id) throw new Error(`cannot queue a <${node.tag}> without an id`);
    this.world.deliveryQueue.enqueue(phone, deviceId, deliveryKey(node.tag, node.attrs.type), id, encodeNode({ ...node, attrs: { ...node.attrs, offline: '1' } }));
    const conn = this.online.get(phone, deviceId);
    if (conn?.isOpen) conn.send(node);
  }

  /** The device acknowledged the stanza with `id`; `key` is its `deliveryKey`. */
  acknowledge(phone: string, deviceId: number, key: string, id: string): void {
    this.world.deliveryQueue.acknowledge(phone, deviceId, key, id);
  }

  /** Resends what the logged-in device has not acknowledged, oldest first; returns how many were sent. */
  resendPending(conn: ClientConnection): number {
    const device = conn.device;
    if (!device) return 0;
    let sent = 0;
    let afterSeq = 0;
    for (;;) {
      const batch = this.world.deliveryQueue.pending(device.phone, device.deviceId, afterSeq, RESEND_BATCH);
      for (const queued of batch) {
        if (queued.attempts >= MAX_DELIVERY_ATTEMPTS) {
          this.logger.warn({ ...device, kind: queued.kind, id: queued.stanzaId }, 'dropping a stanza the device never acknowledged');
          this.world.deliveryQueue.drop(queued.seq);
          continue;
        }
        this.world.deliveryQueue.recordAttempt(queued.seq);
        conn.sendEncoded(queued.stanza);
        sent++;
      }
      if (batch.length < RESEND_BATCH) return sent;
      afterSeq = batch[batch.length - 1].seq;
    }
  }
}
