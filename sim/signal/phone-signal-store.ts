import { SessionRecord, type SignalStorage } from 'libsignal';
import type { User } from '../world/users.js';
import type { World } from '../world/world.js';

const withType = (publicKey: Buffer): Buffer => Buffer.concat([Buffer.from([5]), publicKey]);

/**
 * libsignal's storage for one simulated phone (device 0 of `user`), backed by the world database:
 * its identity, signed prekey and one-time prekeys, and its sessions with companion devices.
 * Identities are trusted on first use, as WhatsApp clients do.
 */
export function phoneSignalStore(world: World, user: User): SignalStorage {
  return {
    async loadSession(address: string) {
      const record = world.signalSessions.load(user.phone, address);
      return record === undefined ? undefined : SessionRecord.deserialize(record as Uint8Array);
    },
    async storeSession(address: string, record: SessionRecord) {
      world.signalSessions.store(user.phone, address, record.serialize());
    },
    isTrustedIdentity: () => true,
    async loadPreKey(keyId: number | string) {
      const pair = world.phonePreKeys.load(user.phone, Number(keyId));
      return pair && { privKey: pair.private, pubKey: withType(pair.public) };
    },
    removePreKey(keyId: number) {
      world.phonePreKeys.remove(user.phone, keyId);
    },
    loadSignedPreKey() {
      const { keyPair } = user.signedPreKey;
      return { privKey: keyPair.private, pubKey: withType(keyPair.public) };
    },
    getOurRegistrationId: () => user.registrationId,
    getOurIdentity: () => ({ privKey: user.identity.private, pubKey: withType(user.identity.public) }),
  };
}
