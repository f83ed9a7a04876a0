import type { Logger } from '../core/logger.js';
import type { SessionStateHandle } from '../state-store/index.js';

/**
 * The engine port: one WhatsApp connection for one session. The Baileys implementation lives in
 * sessions/baileys/; nothing else in kirim knows which client library speaks the protocol.
 */

/** Why a connection ended, in kirim's terms (the engine maps library codes onto these). */
export type CloseKind =
  | 'restart_required' // pairing finished: reconnect at once with the new credentials
  | 'logged_out' // the phone (or server) removed this device: final until paired again
  | 'replaced' // the same device connected elsewhere
  | 'qr_timeout' // nobody scanned any of the QR codes of this round
  | 'transient' // network cut, server closed, keepalive lost: reconnect with backoff
  | 'bad_session' // the server rejected the stored session in a way a retry won't fix
  | 'ended'; // we closed it ourselves (stop, shutdown)

export interface CloseReason {
  kind: CloseKind;
  /** The library's status code, when it had one. */
  code?: number;
  message: string;
}

export interface AccountInfo {
  /** Phone number digits. */
  phone: string;
  jid: string;
  lid: string | null;
  pushName: string | null;
}

export interface InboundText {
  waId: string;
  /** The jid WhatsApp addressed this chat by (phone or LID form). */
  remoteJid: string;
  /** The chat's phone-number jid (user@s.whatsapp.net), or the LID jid when no phone is known. */
  chatJid: string;
  chatLid: string | null;
  chatPhone: string | null;
  fromMe: boolean;
  text: string;
  pushName: string | null;
  timestamp: number;
  /** True for messages the server queued while we were offline. */
  offline: boolean;
}

export interface ReceiptUpdate {
  waId: string;
  chatJid: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  error?: string;
}

export interface EngineListener {
  qr(qr: string, expiresAt: Date): void;
  /** Pair-success: the device is linked; a restart to log in follows. */
  paired(account: AccountInfo): void;
  open(account: AccountInfo): void;
  close(reason: CloseReason): void;
  message(msg: InboundText): void;
  receipt(update: ReceiptUpdate): void;
}

export interface EngineConnection {
  requestPairingCode(phone: string): Promise<string>;
  /** Sends a text with the given WhatsApp message id; resolves once it is handed to the server. */
  sendText(toJid: string, text: string, opts: { waId: string }): Promise<void>;
  /** Sends read receipts (blue ticks) for received messages. */
  markRead(items: Array<{ remoteJid: string; waId: string }>): Promise<void>;
  /** Unlinks the device from the account (tells the server), then closes. */
  logout(): Promise<void>;
  /** Closes the socket without unlinking; persists state first. */
  end(): Promise<void>;
}

export interface ConnectOptions {
  sessionId: string;
  workspaceId: string;
  state: SessionStateHandle;
  logger: Logger;
  listener: EngineListener;
}

export interface Engine {
  /** Resolves once the connection is under way (the socket exists); progress arrives on the listener. */
  connect(opts: ConnectOptions): Promise<EngineConnection>;
  /** Canonical jid for a phone number or jid the user typed; throws AppError on nonsense. */
  normalizeJid(to: string): string;
  /** A new WhatsApp message id (chosen before sending, so receipts can never race the send). */
  newMessageId(): string;
  close(): Promise<void>;
}
