import { randomBytes } from 'node:crypto';
import type { BinaryNode } from '../../binary/node-codec.js';
import { child, childBytes } from '../../binary/node-content.js';
import { parseUserJid } from '../../binary/jid.js';
import { unlinkDevices } from '../../connection/unlink-devices.js';
import type { LinkCodeFinish } from '../../pairing/pending-registrations.js';
import { IqError } from '../iq-reply.js';
import type { IqRequest, IqRoute } from '../iq-route.js';

/** `xmlns="md"`: companions unlinking themselves and the pairing-code exchange. */
export const companionIqs: IqRoute[] = [
  {
    xmlns: 'md',
    type: 'set',
    child: 'remove-companion-device',
    needsDevice: true,
    handle: ({ ctx, iq, device }) => {
      const target = parseUserJid(child(iq, 'remove-companion-device')?.attrs.jid);
      if (!target || target.server !== 's.whatsapp.net' || target.user !== device.phone || target.device === 0) {
        throw new IqError(400, 'bad-request');
      }
      unlinkDevices(ctx, device.phone, [target.device]);
    },
  },
  { xmlns: 'md', type: 'set', child: 'link_code_companion_reg', needsDevice: false, handle: handleLinkCodeStage },
];

function handleLinkCodeStage({ ctx, conn, iq }: IqRequest): BinaryNode[] | Promise<BinaryNode[]> {
  const registration = ctx.registrations.of(conn);
  if (!registration) throw new IqError(400, 'not-registering');
  const stage = child(iq, 'link_code_companion_reg');
  switch (stage?.attrs.stage) {
    case 'companion_hello': {
      const phone = parseUserJid(stage.attrs.jid);
      const wrapped = childBytes(stage, 'link_code_pairing_wrapped_companion_ephemeral_pub');
      const noisePub = childBytes(stage, 'companion_server_auth_key_pub');
      if (!phone || phone.server !== 's.whatsapp.net' || wrapped?.length !== 80) throw new IqError(400, 'bad-request');
      if (!noisePub?.equals(registration.request.noisePub)) throw new IqError(400, 'noise-key-mismatch');
      const ref = `2@${randomBytes(24).toString('base64')}`;
      ctx.registrations.setLinkCode(registration, { phone: phone.user, ref, wrappedCompanionEphemeral: wrapped });
      ctx.logger.debug({ conn: conn.id, phone: phone.user }, 'companion waits for a pairing code');
      return [
        {
          tag: 'link_code_companion_reg',
          attrs: {},
          content: [{ tag: 'link_code_pairing_ref', attrs: {}, content: Buffer.from(ref, 'utf8') }],
        },
      ];
    }
    case 'companion_finish': {
      const awaiting = registration.linkCode?.awaitingFinish;
      const wrappedKeyBundle = childBytes(stage, 'link_code_pairing_wrapped_key_bundle');
      const companionIdentityPub = childBytes(stage, 'companion_identity_public');
      if (!awaiting) throw new IqError(409, 'no-primary-hello');
      if (!wrappedKeyBundle || companionIdentityPub?.length !== 32) throw new IqError(400, 'bad-request');
      // the phone answers synchronously once it has checked the bundle
      return new Promise((resolve, reject) => {
        const finish: LinkCodeFinish = {
          wrappedKeyBundle,
          companionIdentityPub,
          reply: (error) => (error ? reject(new IqError(400, error)) : resolve([])),
        };
        awaiting(finish);
      });
    }
    default:
      throw new IqError(400, 'unknown-stage');
  }
}
