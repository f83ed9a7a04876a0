import type { BinaryNode } from '../binary/node-codec.js';
import { deliveryKey } from '../connection/device-delivery.js';
import type { StanzaHandler } from './stanza-handler.js';

/** The client acknowledges a message (nack when `error` is set), receipt or notification we delivered. */
export const handleClientAck: StanzaHandler = (ctx, conn, node: BinaryNode) => {
  const device = conn.device;
  const { id, class: kind, type, error } = node.attrs;
  if (!device || !id || !kind) return;
  if (error) ctx.logger.info({ ...device, id, kind, error }, 'device rejected a stanza');
  ctx.delivery.acknowledge(device.phone, device.deviceId, deliveryKey(kind, type), id);
};
