import type { SimContext } from '../context.js';
import { completePairing, PairingError, type LinkedDevice } from './complete-pairing.js';
import type { PairingQr } from './qr-code.js';

/** The phone of account `phone` (created when new, random when omitted) scans a companion's QR. */
export async function scanQr(ctx: SimContext, qr: PairingQr, phone: string | undefined, pushName?: string): Promise<LinkedDevice> {
  const registration = ctx.registrations.findByRef(qr.ref);
  if (!registration) {
    throw new PairingError(404, 'qr_not_found', 'no companion is waiting with this QR ref: it expired, was already used, or the companion disconnected');
  }
  if (registration.linking) throw new PairingError(409, 'pairing_in_progress', 'this companion is already being linked');
  if (!qr.noisePub.equals(registration.request.noisePub)) {
    throw new PairingError(409, 'qr_mismatch', 'the QR noise key does not match the key the companion connected with');
  }
  if (!qr.identityPub.equals(registration.request.identityPub)) {
    throw new PairingError(409, 'qr_mismatch', 'the QR identity key does not match the companion registration');
  }
  registration.linking = true;
  const account = ctx.world.users.ensureAccount(phone ?? ctx.world.users.newPhone(), pushName);
  return completePairing(ctx, registration, account, qr.advSecret);
}
