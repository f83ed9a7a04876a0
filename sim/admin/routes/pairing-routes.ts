import { z } from 'zod';
import { confirmPairingCode } from '../../pairing/link-code-pairing.js';
import { PairingError, type LinkedDevice } from '../../pairing/complete-pairing.js';
import { parsePairingQr } from '../../pairing/qr-code.js';
import { scanQr } from '../../pairing/scan-qr.js';
import { AdminError } from '../admin-error.js';
import type { AdminResponse, AdminRoute } from '../admin-route.js';
import { parseBody, phoneSchema } from '../validation.js';

const scanBody = z.object({ qr: z.string().min(1), phone: phoneSchema.optional(), name: z.string().min(1).max(100).optional() });
const pairingCodeBody = z.object({ phone: phoneSchema, code: z.string().min(1).max(32) });

export const pairingRoutes: AdminRoute[] = [
  {
    method: 'POST',
    path: '/admin/scan',
    handle: async ({ ctx, body }) => {
      const { qr, phone, name } = parseBody(scanBody, body);
      const parsed = parsePairingQr(qr);
      if (typeof parsed === 'string') throw new AdminError(400, 'invalid_qr', parsed);
      return linked(() => scanQr(ctx, parsed, phone, name));
    },
  },
  {
    method: 'POST',
    path: '/admin/pairing-code',
    handle: async ({ ctx, body }) => {
      const { phone, code } = parseBody(pairingCodeBody, body);
      return linked(() => confirmPairingCode(ctx, phone, code));
    },
  },
];

async function linked(link: () => Promise<LinkedDevice>): Promise<AdminResponse> {
  try {
    const device = await link();
    return { body: { phone: device.phone, jid: device.jid, lid: device.lid, deviceId: device.deviceId } };
  } catch (err) {
    if (err instanceof PairingError) throw new AdminError(err.status, err.code, err.message);
    throw err;
  }
}
