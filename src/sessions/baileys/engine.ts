import makeWASocket, { Browsers, WA_CERT_DETAILS, generateMessageID, type BinaryNode, type WASocket, type ConnectionState } from 'baileys';
import type { Logger } from '../../core/logger.js';
import type { AccountInfo, ConnectOptions, Engine, EngineConnection } from '../engine.js';
import { openSessionAuth } from './auth-state.js';
import { quietLibsignalConsole, SharedTtlCache, speedUpHandshakeCrypto, withSharedTxStorage } from './process-patches.js';
import { mapCloseReason } from './close-reason.js';
import { normalizeRecipient, phoneOfJid } from './jid.js';
import { receiptOfOwnUpsert, toInboundText, toReceipt } from './message-mapping.js';

export interface BaileysEngineOptions {
  /** ws://host:port/ws/chat of a simulator; unset = real WhatsApp. */
  waWebSocketUrl?: string;
  /** The simulator's root key, trusted instead of WhatsApp's (sandbox only). */
  rootPublicKey?: Buffer;
  /** Level of Baileys' own logs (noisy below warn). */
  libraryLogLevel?: string;
  browserName?: string;
  /** Query timeout; Baileys' default of 60 s hides a stuck server for a minute. */
  queryTimeoutMs?: number;
  /** Where libsignal's console lines go (at debug, without the key material it attaches). */
  logger?: Logger;
  /** Lifetime of every QR code (Baileys' `qrTimeout`); unset = 60 s for the first, 20 s for the next. */
  qrTimeoutMs?: number;
}

const FIRST_QR_MS = 60_000;
const NEXT_QR_MS = 20_000;

export function createBaileysEngine(opts: BaileysEngineOptions = {}): Engine {
  if (opts.rootPublicKey) {
    // Baileys checks the server's certificate chain against this key. It is a process-wide
    // constant of the library, so a process talks either to the sandbox or to WhatsApp.
    WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(opts.rootPublicKey);
  }
  speedUpHandshakeCrypto();
  quietLibsignalConsole((line) => opts.logger?.debug({ lib: 'libsignal' }, line));
  const browser = Browsers.ubuntu(opts.browserName ?? 'kirim');
  // Baileys' own TTLs for these caches (DEFAULT_CACHE_TTLS: MSG_RETRY 1 h, CALL_OFFER 5 min)
  const shared = { msgRetryCounterCache: new SharedTtlCache(3_600_000), placeholderResendCache: new SharedTtlCache(3_600_000), callOfferCache: new SharedTtlCache(300_000) };
  return {
    normalizeJid: normalizeRecipient,
    newMessageId: generateMessageID,
    async close() {
      for (const c of Object.values(shared)) c.close();
    },
    async connect({ sessionId, state, logger, listener }: ConnectOptions): Promise<EngineConnection> {
      const auth = await openSessionAuth(state, logger);
      const creds = auth.state.creds;
      if (!creds.account) {
        // Not linked yet: a pairing-code attempt may have left a provisional `me`, which would
        // make Baileys try to log in instead of registering. Start every unlinked connect clean.
        delete creds.me;
        creds.pairingCode = undefined;
      }
      // Baileys logs expected closes (515 after pairing, logouts) as errors; kirim logs them itself.
      const libLevel = logger.levelVal > logger.levels.values[opts.libraryLogLevel ?? 'fatal'] ? logger.level : (opts.libraryLogLevel ?? 'fatal');
      const libLogger = logger.child({ lib: 'baileys' }, { level: libLevel }) as Logger;
      let endedByUs = false;
      let qrCount = 0;
      const sock: WASocket = withSharedTxStorage(() => makeWASocket({
        auth: auth.state,
        logger: libLogger as never,
        browser,
        waWebSocketUrl: opts.waWebSocketUrl ?? 'wss://web.whatsapp.com/ws/chat',
        markOnlineOnConnect: false,
        syncFullHistory: false,
        fireInitQueries: true,
        generateHighQualityLinkPreview: false,
        defaultQueryTimeoutMs: opts.queryTimeoutMs ?? 30_000,
        qrTimeout: opts.qrTimeoutMs,
        msgRetryCounterCache: shared.msgRetryCounterCache.view(sessionId),
        placeholderResendCache: shared.placeholderResendCache.view(sessionId),
        callOfferCache: shared.callOfferCache.view(sessionId),
      }));

      const account = (): AccountInfo => {
        const me = sock.authState.creds.me;
        const jid = me?.id ?? '';
        return { phone: phoneOfJid(jid.replace(/:\d+@/, '@')) ?? '', jid, lid: me?.lid ?? null, pushName: me?.name ?? null };
      };

      sock.ev.on('creds.update', () => auth.credsChanged());
      sock.ev.on('connection.update', (u: Partial<ConnectionState>) => {
        if (u.qr) {
          const ttl = opts.qrTimeoutMs ?? (qrCount === 0 ? FIRST_QR_MS : NEXT_QR_MS);
          qrCount++;
          listener.qr(u.qr, new Date(Date.now() + ttl));
        }
        // Linking and login are the moments a crash must not undo: write the state at once.
        const persistNow = () => void auth.flush().catch((err) => logger.warn({ err, sessionId }, 'state flush failed'));
        if (u.isNewLogin) {
          persistNow();
          listener.paired(account());
        }
        if (u.connection === 'open') {
          persistNow();
          listener.open(account());
        }
        if (u.connection === 'close') {
          const reason = mapCloseReason(u.lastDisconnect?.error, endedByUs);
          if (reason.kind === 'logged_out') auth.detach(); // its state is about to be deleted
          else void auth.flush().catch((err) => logger.warn({ err, sessionId }, 'state flush after close failed'));
          listener.close(reason);
        }
      });
      sock.ev.on('messages.upsert', ({ messages, type }) => {
        for (const m of messages) {
          const own = receiptOfOwnUpsert(m);
          if (own) listener.receipt(own);
          const text = toInboundText(m, type === 'append');
          if (text) listener.message(text);
        }
      });
      // The server's ack of a message we sent is what 'sent' means (Baileys reports only failed acks).
      sock.ws.on('CB:ack,class:message', (node: BinaryNode) => {
        const { id, error, from } = node.attrs;
        if (!id) return;
        listener.receipt({ waId: id, chatJid: from ?? '', status: error ? 'failed' : 'sent', ...(error ? { error: `WhatsApp refused the message (error ${error})` } : {}) });
      });
      sock.ev.on('messages.update', (updates) => {
        for (const u of updates) {
          const r = toReceipt(u);
          if (r) listener.receipt(r);
        }
      });

      return {
        async requestPairingCode(phone: string) {
          return sock.requestPairingCode(phone);
        },
        async sendText(toJid: string, text: string, { waId }: { waId: string }) {
          await sock.sendMessage(toJid, { text }, { messageId: waId });
        },
        async markRead(items) {
          await sock.readMessages(items.map((i) => ({ remoteJid: i.remoteJid, id: i.waId, fromMe: false })));
        },
        async logout() {
          endedByUs = true;
          auth.detach();
          await sock.logout();
        },
        async end() {
          endedByUs = true;
          sock.end(undefined);
          await auth.flush();
        },
      };
    },
  };
}
