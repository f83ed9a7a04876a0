import { randomBytes } from 'node:crypto';
import type { ClientConnection } from '../connection/client-connection.js';
import type { KeyPair } from '../world/key-pair.js';
import type { RegistrationRequest } from './registration-request.js';

/** A companion asked to link by pairing code (`link_code_companion_reg`, stage `companion_hello`). */
export interface LinkCodeRequest {
  phone: string;
  ref: string;
  /** salt(32) || iv(16) || AES-CTR(companion ephemeral public key), keyed by the code */
  wrappedCompanionEphemeral: Buffer;
  /** set while the phone waits for the companion's `companion_finish`; called with undefined if it disconnects */
  awaitingFinish?: (finish: LinkCodeFinish | undefined) => void;
}

export interface LinkCodeFinish {
  wrappedKeyBundle: Buffer;
  companionIdentityPub: Buffer;
  /** answers the companion's iq: undefined = success, otherwise an error text */
  reply(error?: string): void;
}

/** A connected companion that is not linked yet, waiting for a QR scan or a pairing code. */
export interface PendingRegistration {
  conn: ClientConnection;
  request: RegistrationRequest;
  refs: string[];
  linkCode?: LinkCodeRequest;
  primaryEphemeral?: KeyPair;
  /** a scan or code confirmation is running; no second one may start */
  linking: boolean;
}

export const QR_REF_COUNT = 6;

/** Connections waiting to be linked, findable by any of their QR refs, and by phone for pairing codes. */
export class PendingRegistrations {
  private readonly byConn = new Map<ClientConnection, PendingRegistration>();
  private readonly byRef = new Map<string, PendingRegistration>();
  private readonly byPhone = new Map<string, PendingRegistration>();

  add(conn: ClientConnection, request: RegistrationRequest): PendingRegistration {
    const refs = Array.from({ length: QR_REF_COUNT }, () => `2@${randomBytes(48).toString('base64')}`);
    const registration: PendingRegistration = { conn, request, refs, linking: false };
    this.byConn.set(conn, registration);
    for (const ref of refs) this.byRef.set(ref, registration);
    return registration;
  }

  of(conn: ClientConnection): PendingRegistration | undefined {
    return this.byConn.get(conn);
  }

  findByRef(ref: string): PendingRegistration | undefined {
    return this.byRef.get(ref);
  }

  /** The latest pairing-code request for `phone`. */
  findByPhone(phone: string): PendingRegistration | undefined {
    return this.byPhone.get(phone);
  }

  setLinkCode(registration: PendingRegistration, request: LinkCodeRequest): void {
    const previous = registration.linkCode;
    if (previous && this.byPhone.get(previous.phone) === registration) this.byPhone.delete(previous.phone);
    registration.linkCode = request;
    this.byPhone.set(request.phone, registration);
  }

  remove(conn: ClientConnection): void {
    const registration = this.byConn.get(conn);
    if (!registration) return;
    this.byConn.delete(conn);
    registration.linkCode?.awaitingFinish?.(undefined);
    for (const ref of registration.refs) this.byRef.delete(ref);
    const phone = registration.linkCode?.phone;
    if (phone && this.byPhone.get(phone) === registration) this.byPhone.delete(phone);
  }
}
