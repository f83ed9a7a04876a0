import { unpadRandomMax16, writeRandomPadMax16 } from 'baileys';
import { ProtocolAddress, SessionBuilder, SessionCipher, type SignalStorage } from 'libsignal';
import type { Device } from '../world/devices.js';
import type { User } from '../world/users.js';
import type { World } from '../world/world.js';
import { phoneSignalStore } from './phone-signal-store.js';

export type EncType = 'pkmsg' | 'msg';

/** What a session with a device starts from: the keys it published (or sent in a retry receipt). */
export interface PreKeyBundle {
  registrationId: number;
  identityKey: Buffer;
  signedPreKey: { keyId: number; publicKey: Buffer; signature: Buffer };
  preKey?: { keyId: number; publicKey: Buffer };
}

const withType = (key: Buffer): Buffer => (key.length === 33 ? key : Buffer.concat([Buffer.from([5]), key]));

/** Signal address of a companion device, under its account's LID (`<lid>_1.<device>`), as WhatsApp clients key it. */
export function deviceAddress(lid: string, deviceId: number): ProtocolAddress {
  return new ProtocolAddress(`${lid}_1`, deviceId);
}

/**
 * A simulated phone's end of its Signal sessions with companion devices: it pads and encrypts
 * proto.Message bytes for a device, and decrypts and unpads what devices sent it.
 */
export class PhoneCipher {
  private readonly store: SignalStorage;

  constructor(
    private readonly world: World,
    readonly user: User,
  ) {
    this.store = phoneSignalStore(world, user);
  }

  /** Encrypts for `device` of the account whose LID is `accountLid`; starts a session from its published keys if needed. */
  async encrypt(device: Device, accountLid: string, message: Uint8Array): Promise<{ type: EncType; ciphertext: Buffer }> {
    const address = deviceAddress(accountLid, device.deviceId);
    if (!(await this.hasSession(address))) await this.startSession(address, this.publishedBundle(device));
    const { type, body } = await new SessionCipher(this.store, address).encrypt(writeRandomPadMax16(message));
    return { type: type === 3 ? 'pkmsg' : 'msg', ciphertext: Buffer.from(body, 'binary') };
  }

  /** Decrypts a `pkmsg`/`msg` from device `deviceId` of the account with LID `senderLid`; returns proto.Message bytes. */
  async decrypt(senderLid: string, deviceId: number, type: EncType, ciphertext: Buffer): Promise<Buffer> {
    const cipher = new SessionCipher(this.store, deviceAddress(senderLid, deviceId));
    const padded = type === 'pkmsg' ? await cipher.decryptPreKeyWhisperMessage(ciphertext) : await cipher.decryptWhisperMessage(ciphertext);
    return Buffer.from(unpadRandomMax16(padded));
  }

  /** Replaces the session with a device by a new one from `bundle` (or its published keys). */
  async restartSession(device: Device, accountLid: string, bundle?: PreKeyBundle): Promise<void> {
    const address = deviceAddress(accountLid, device.deviceId);
    this.world.signalSessions.delete(this.user.phone, address.toString());
    await this.startSession(address, bundle ?? this.publishedBundle(device));
  }

  private async hasSession(address: ProtocolAddress): Promise<boolean> {
    const record = await this.store.loadSession(address.toString());
    return !!record?.haveOpenSession();
  }

  private async startSession(address: ProtocolAddress, bundle: PreKeyBundle): Promise<void> {
    await new SessionBuilder(this.store, address).initOutgoing({
      registrationId: bundle.registrationId,
      identityKey: withType(bundle.identityKey),
      signedPreKey: { ...bundle.signedPreKey, publicKey: withType(bundle.signedPreKey.publicKey) },
      // libsignal accepts a bundle without a one-time prekey; its typings do not
      preKey: (bundle.preKey && { ...bundle.preKey, publicKey: withType(bundle.preKey.publicKey) }) as PreKeyBundle['preKey'] & object,
    });
  }

  /** The keys the device published, consuming one of its one-time prekeys when any are left. */
  private publishedBundle(device: Device): PreKeyBundle {
    return {
      registrationId: device.registrationId,
      identityKey: device.identityPub,
      signedPreKey: device.signedPreKey,
      preKey: this.world.devicePreKeys.take(device.phone, device.deviceId),
    };
  }
}
