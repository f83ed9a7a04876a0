import { unixTimestampSeconds } from 'baileys';
import type { BinaryNode } from '../binary/node-codec.js';
import { child, contentBytes } from '../binary/node-content.js';
import { lidJid, pnJid, SERVER_JID } from '../binary/jid.js';
import type { SimContext } from '../context.js';
import type { User } from '../world/users.js';
import { buildDeviceIdentity, DeviceSignatureError, verifyDeviceSignature } from './device-identity.js';
import type { PendingRegistration } from './pending-registrations.js';

export const PAIR_REPLY_TIMEOUT_MS = 20_000;
/** what the simulated phones say they are (`creds.platform` on the companion) */
const PRIMARY_PLATFORM = 'android';

export interface LinkedDevice {
  phone: string;
  deviceId: number;
  jid: string;
  lid: string;
}

/** Linking could not start or failed; the admin API answers with this status, code and text. */
export class PairingError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The end of both linking flows (QR and pairing code): the phone of `account` issues the signed device
 * identity in `pair-success`, the companion answers with its device signature, the device is recorded,
 * and the companion is told to reconnect (`stream:error code=515`).
 */
export async function completePairing(
  ctx: SimContext,
  registration: PendingRegistration,
  account: User,
  advSecret: Buffer,
): Promise<LinkedDevice> {
  const { conn, request } = registration;
  ctx.registrations.remove(conn);
  ctx.world.users.ensureAccount(account.phone);
  const { deviceId, keyIndex } = ctx.world.users.allocateDevice(account.phone);
  const now = unixTimestampSeconds();
  const identity = buildDeviceIdentity({
    accountKey: account.identity,
    advRawId: account.advRawId,
    keyIndex,
    companionIdentityPub: request.identityPub,
    advSecret,
    timestamp: now,
  });
  const linked: LinkedDevice = {
    phone: account.phone,
    deviceId,
    jid: pnJid(account.phone, deviceId),
    lid: lidJid(account.lid, deviceId),
  };
  const id = conn.newStanzaId();
  const reply = conn.waitForReply(id, PAIR_REPLY_TIMEOUT_MS);
  conn.send(pairSuccess(id, now, identity.container, linked, account.pushName));
  let answer: BinaryNode;
  try {
    answer = await reply;
  } catch (err) {
    conn.close();
    throw new PairingError(409, 'pairing_failed', `the companion did not confirm the link: ${(err as Error).message}`);
  }
  const signed = contentBytes(child(child(answer, 'pair-device-sign'), 'device-identity'));
  if (answer.attrs.type !== 'result' || !signed) {
    conn.closeWith(badSignature());
    throw new PairingError(409, 'pairing_failed', 'the companion rejected the device identity (wrong ADV secret or account signature)');
  }
  let signedIdentity: Buffer;
  try {
    signedIdentity = verifyDeviceSignature(signed, {
      details: identity.details,
      companionIdentityPub: request.identityPub,
      accountKeyPub: account.identity.public,
    });
  } catch (err) {
    if (!(err instanceof DeviceSignatureError)) throw err;
    conn.closeWith(badSignature());
    throw new PairingError(409, 'bad_device_signature', err.message);
  }
  ctx.world.devices.insert({
    phone: account.phone,
    deviceId,
    noisePub: request.noisePub,
    identityPub: request.identityPub,
    registrationId: request.registrationId,
    signedPreKey: request.signedPreKey,
    keyIndex,
    signedIdentity,
    platform: request.platform,
  });
  ctx.logger.info({ phone: account.phone, deviceId }, 'device linked');
  conn.closeWith({ tag: 'stream:error', attrs: { code: '515' } });
  return linked;
}

function pairSuccess(id: string, now: number, container: Buffer, linked: LinkedDevice, bizName: string): BinaryNode {
  return {
    tag: 'iq',
    attrs: { from: SERVER_JID, type: 'set', id, t: String(now) },
    content: [
      {
        tag: 'pair-success',
        attrs: {},
        content: [
          { tag: 'device-identity', attrs: {}, content: container },
          { tag: 'platform', attrs: { name: PRIMARY_PLATFORM } },
          { tag: 'device', attrs: { jid: linked.jid, lid: linked.lid } },
          { tag: 'biz', attrs: { name: bizName } },
        ],
      },
    ],
  };
}

function badSignature(): BinaryNode {
  return { tag: 'stream:error', attrs: {}, content: [{ tag: 'bad-signature', attrs: {} }] };
}
