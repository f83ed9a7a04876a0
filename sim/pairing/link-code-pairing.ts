import { unixTimestampSeconds } from 'baileys';
import type { BinaryNode } from '../binary/node-codec.js';
import { SERVER_JID } from '../binary/jid.js';
import type { SimContext } from '../context.js';
import { generateKeyPair } from '../world/key-pair.js';
import type { User } from '../world/users.js';
import { completePairing, PairingError, type LinkedDevice } from './complete-pairing.js';
import {
  deriveAdvSecret,
  LinkCodeError,
  openKeyBundle,
  sharedKey,
  unwrapEphemeral,
  wrapEphemeral,
} from './link-code-crypto.js';
import type { LinkCodeFinish, PendingRegistration } from './pending-registrations.js';

export const LINK_CODE_FINISH_TIMEOUT_MS = 20_000;

/** Pairing codes are 8 characters; the phone UI tolerates the dash and spaces users type. */
export function normalizePairingCode(code: string): string | undefined {
  const compact = code.replace(/[\s-]/g, '');
  return compact.length === 8 ? compact : undefined;
}

/**
 * The phone of `phone` confirms the pairing code its user read on the companion: it unwraps the companion's
 * ephemeral key with the code, answers with its own, checks the companion's key bundle, and links the device.
 */
export async function confirmPairingCode(ctx: SimContext, phone: string, rawCode: string): Promise<LinkedDevice> {
  const code = normalizePairingCode(rawCode);
  if (!code) throw new PairingError(400, 'invalid_code', 'a pairing code has 8 characters, e.g. "ABCD-EFGH"');
  const registration = ctx.registrations.findByPhone(phone);
  const request = registration?.linkCode;
  if (!registration || !request) {
    throw new PairingError(404, 'no_pairing_request', `no companion is waiting for a pairing code for ${phone}`);
  }
  if (registration.linking) throw new PairingError(409, 'pairing_in_progress', 'this companion is already being linked');
  registration.linking = true;
  let linking: Promise<LinkedDevice> | undefined;
  try {
    const companionEphemeral = await unwrapEphemeral(request.wrappedCompanionEphemeral, code);
    const account = ctx.world.users.ensure(phone);
    const primaryEphemeral = generateKeyPair();
    const wrappedPrimary = await wrapEphemeral(primaryEphemeral.public, code);
    if (!registration.conn.isOpen) throw new PairingError(409, 'companion_disconnected', 'the companion disconnected');
    const finished = waitForFinish(registration);
    registration.conn.send(primaryHello(registration.conn.newStanzaId(), request.ref, account.identity.public, wrappedPrimary));
    const finish = await finished;
    let advSecret: Buffer;
    try {
      advSecret = acceptKeyBundle(finish, sharedKey(primaryEphemeral.private, companionEphemeral), registration, account);
    } catch (err) {
      finish.reply(err instanceof Error ? err.message : 'pairing failed');
      throw err;
    }
    finish.reply();
    linking = completePairing(ctx, registration, account, advSecret);
    return await linking;
  } catch (err) {
    if (err instanceof LinkCodeError) throw new PairingError(400, 'wrong_pairing_code', err.message);
    throw err;
  } finally {
    if (!linking) registration.linking = false;
  }
}

/** Opens and checks the companion's key bundle; returns the ADV secret both sides now share. */
function acceptKeyBundle(finish: LinkCodeFinish, ephemeralShared: Buffer, registration: PendingRegistration, account: User): Buffer {
  const bundle = openKeyBundle(finish.wrappedKeyBundle, ephemeralShared);
  const identityMatches =
    bundle.companionIdentityPub.equals(finish.companionIdentityPub) &&
    bundle.companionIdentityPub.equals(registration.request.identityPub) &&
    bundle.primaryIdentityPub.equals(account.identity.public);
  if (!identityMatches) {
    throw new PairingError(409, 'identity_mismatch', 'the key bundle names other identity keys than the companion registered');
  }
  const identityShared = sharedKey(account.identity.private, bundle.companionIdentityPub);
  return deriveAdvSecret(ephemeralShared, identityShared, bundle.random);
}

function waitForFinish(registration: PendingRegistration): Promise<LinkCodeFinish> {
  const request = registration.linkCode!;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      request.awaitingFinish = undefined;
      reject(new PairingError(409, 'pairing_failed', 'the companion did not finish the pairing-code exchange'));
    }, LINK_CODE_FINISH_TIMEOUT_MS);
    request.awaitingFinish = (finish) => {
      clearTimeout(timer);
      request.awaitingFinish = undefined;
      if (finish) resolve(finish);
      else reject(new PairingError(409, 'companion_disconnected', 'the companion disconnected during the pairing-code exchange'));
    };
  });
}

function primaryHello(id: string, ref: string, primaryIdentityPub: Buffer, wrappedPrimaryEphemeral: Buffer): BinaryNode {
  return {
    tag: 'notification',
    attrs: { from: SERVER_JID, type: 'link_code_companion_reg', id, t: String(unixTimestampSeconds()) },
    content: [
      {
        tag: 'link_code_companion_reg',
        attrs: { stage: 'primary_hello' },
        content: [
          { tag: 'link_code_pairing_ref', attrs: {}, content: Buffer.from(ref, 'utf8') },
          { tag: 'primary_identity_pub', attrs: {}, content: primaryIdentityPub },
          { tag: 'link_code_pairing_wrapped_primary_ephemeral_pub', attrs: {}, content: wrappedPrimaryEphemeral },
        ],
      },
    ],
  };
}
