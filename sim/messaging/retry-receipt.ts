import type { BinaryNode } from '../binary/node-codec.js';
import { child, childBytes, childUint } from '../binary/node-content.js';
import type { ClientConnection } from '../connection/client-connection.js';
import type { SimContext } from '../context.js';
import { PhoneCipher, type PreKeyBundle } from '../signal/phone-cipher.js';
import type { Device } from '../world/devices.js';
import type { User } from '../world/users.js';
import { phoneMessageStanza } from './phone-message-stanza.js';

/** Retry receipts beyond this count are ignored (Baileys itself stops at 5). */
export const MAX_RETRIES = 5;

/**
 * A companion could not decrypt a message from simulated phone `phone` and asks for it again: the phone
 * starts a new session (from the keys in the receipt, else from the device's published keys) and resends
 * the same message id with `count`.
 */
export async function answerRetryReceipt(ctx: SimContext, conn: ClientConnection, phone: User, node: BinaryNode): Promise<void> {
  const device = conn.device!;
  const id = node.attrs.id ?? '';
  const original = ctx.world.outbox.find(phone.phone, id);
  const count = Number(child(node, 'retry')?.attrs.count ?? 1);
  const record = ctx.world.devices.find(device.phone, device.deviceId);
  const account = ctx.world.users.find(device.phone);
  if (!original || !record || !account || !(count >= 1 && count <= MAX_RETRIES)) {
    ctx.logger.debug({ ...device, id, count, known: !!original }, 'retry receipt not answered');
    return;
  }
  ctx.logger.info({ ...device, phone: phone.phone, id, count }, 'resending a message on a new session after a retry receipt');
  const cipher = new PhoneCipher(ctx.world, phone);
  await cipher.restartSession(record, account.lid, bundleFromReceipt(node, record));
  const enc = await cipher.encrypt(record, account.lid, original.message);
  const addressing = original.category === 'peer' ? 'peer' : original.addressing;
  conn.send(phoneMessageStanza(phone, { id, addressing, enc, retryCount: count }));
}

/** `<keys>` of a retry receipt: the device's identity, a fresh one-time prekey and its signed prekey. */
function bundleFromReceipt(node: BinaryNode, device: Device): PreKeyBundle | undefined {
  const keys = child(node, 'keys');
  const identity = childBytes(keys, 'identity');
  const skey = child(keys, 'skey');
  const skeyId = childUint(skey, 'id', 3);
  const skeyValue = childBytes(skey, 'value');
  const signature = childBytes(skey, 'signature');
  if (!identity || skeyId === undefined || !skeyValue || !signature) return undefined;
  const key = child(keys, 'key');
  const keyId = childUint(key, 'id', 3);
  const keyValue = childBytes(key, 'value');
  return {
    registrationId: childUint(node, 'registration', 4) ?? device.registrationId,
    identityKey: identity,
    signedPreKey: { keyId: skeyId, publicKey: skeyValue, signature },
    preKey: keyId !== undefined && keyValue ? { keyId, publicKey: keyValue } : undefined,
  };
}
