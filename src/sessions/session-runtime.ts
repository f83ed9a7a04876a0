import type { Clock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import { type EventBus, type SessionStatus, makeEvent } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { type SessionStateHandle, StateDecodeError } from '../state-store/index.js';
import type { AccountInfo, CloseReason, Engine, EngineConnection, InboundText, ReceiptUpdate } from './engine.js';
import { type BackoffOptions, DEFAULT_BACKOFF, backoffDelay } from './reconnect-policy.js';
import type { SessionRepo } from './session-repo.js';
import { type StatusInput, isFinal, transition } from './status-machine.js';

/** What the messaging layer hears from a live session. */
export interface SessionTraffic {
  message(sessionId: string, workspaceId: string, msg: InboundText): void;
  receipt(sessionId: string, workspaceId: string, update: ReceiptUpdate): void;
  /** The session is open again: queued sends may go out. */
  opened?(sessionId: string): void;
  /** The session reached a final status (stopped, logged out, failed): pending sends fail. */
  stopped?(sessionId: string, reason: string): void;
  /** The session was deleted: its messages and contacts go too. */
  deleted?(sessionId: string): Promise<void>;
}

export interface RuntimeDeps {
  engine: Engine;
  repo: SessionRepo;
  events: EventBus;
  logger: Logger;
  clock: Clock;
  nodeId: string;
  traffic?: SessionTraffic;
  backoff?: BackoffOptions;
  /** Shared by the node's sessions: spaces connection attempts (no reconnect storms). */
  pacer?: { turn(): Promise<void> };
  /** Cluster: asked right before each connect and reconnect; false while this node's lease on the session is not fresh. */
  mayConnect?: () => boolean;
  /** QR rounds (one connection's worth of refs each) before giving up and stopping. */
  maxQrRounds?: number;
  /** Whether status writes also set `sessions.node_id` (not in a cluster, where placement owns it). */
  writesNode?: boolean;
  /** A connection must stay open this long before the backoff counter resets. */
  stableAfterMs?: number;
  random?: () => number;
  /** How long a logout of a linked, unconnected session may take to reach WhatsApp. */
  unlinkWaitMs?: number;
}

export interface QrCode {
  qr: string;
  expiresAt: Date;
}

/**
 * One session's live connection on this node: drives the status machine, reconnects with
 * backoff, persists every status change before announcing it.
 */
export class SessionRuntime {
  private status: SessionStatus;
  private conn?: EngineConnection;
  private generation = 0;
  private qr?: QrCode;
  private attempts = 0;
  private qrRounds = 0;
  private openSince?: number;
  private retryTimer?: NodeJS.Timeout;
  private account?: AccountInfo;
  private phone: string | null;
  private persistChain: Promise<void> = Promise.resolve();
  private applyChain: Promise<void> = Promise.resolve();
  private readonly waiters = new Set<() => void>();
  private readonly log: Logger;
  /** Abandoned or shut down: this runtime never connects again (a start still in flight included). */
  private ended = false;

  constructor(
    private readonly deps: RuntimeDeps,
    readonly sessionId: string,
    readonly workspaceId: string,
    private readonly state: SessionStateHandle,
    initial: { status: SessionStatus; phone: string | null },
  ) {
    this.status = initial.status;
    this.phone = initial.phone;
    this.log = deps.logger.child({ sessionId });
  }

  get currentStatus(): SessionStatus {
    return this.status;
  }

  get currentQr(): QrCode | undefined {
    return this.status === 'qr' ? this.qr : undefined;
  }

  get connection(): EngineConnection | undefined {
    return this.status === 'open' ? this.conn : undefined;
  }

  /** Resolves when the pending status writes have reached the database. */
  async settled(): Promise<void> {
    let apply: Promise<void>;
    let persist: Promise<void>;
    do {
      apply = this.applyChain;
      persist = this.persistChain;
      await apply;
      await persist;
    } while (apply !== this.applyChain || persist !== this.persistChain);
  }

  async start(): Promise<void> {
    this.attempts = 0;
    this.qrRounds = 0;
    await this.apply({ type: 'start' }, null, true);
  }

  async stop(): Promise<void> {
    await this.apply({ type: 'stop' }, null);
  }

  /**
   * Unlinks the device and forgets it. An open connection tells WhatsApp at once; a linked
   * session that is not connected (stopped, reconnecting, failed) connects briefly to tell it, so
   * the phone's list of linked devices is right either way. If WhatsApp cannot be reached within
   * `unlinkWaitMs` (15 s), the device is forgotten locally anyway (and says so in the log).
   */
  async logout(): Promise<void> {
    const unlinkWaitMs = this.deps.unlinkWaitMs ?? 15_000;
    const conn = this.status === 'open' ? this.conn : undefined;
    const other = conn ? undefined : this.conn;
    const linked = this.phone !== null && this.status !== 'logged_out';
    this.invalidate();
    if (conn) {
      await conn.logout().catch((err) => this.log.warn({ err }, 'logout on the socket failed; forgetting the device locally'));
    } else {
      if (other) await other.end().catch(() => undefined);
      if (linked && !(await this.unlinkBriefly(unlinkWaitMs))) {
        this.log.warn('could not reach WhatsApp to unlink the device; forgetting it locally');
      }
    }
    await this.apply({ type: 'logout' }, null);
  }

  /** Connects only to log the device out; true once WhatsApp was told. Messages that arrive meanwhile are kept. */
  private async unlinkBriefly(waitMs: number): Promise<boolean> {
    let settle!: (unlinked: boolean) => void;
    const outcome = new Promise<boolean>((r) => (settle = r));
    let conn: EngineConnection | undefined;
    let opened = false;
    const unlink = async () => {
      try {
        await conn!.logout();
        settle(true);
      } catch (err) {
        this.log.warn({ err }, 'logout on the socket failed');
        settle(false);
      }
    };
    const timer = setTimeout(() => settle(false), waitMs);
    try {
      conn = await this.deps.engine.connect({
        sessionId: this.sessionId,
        workspaceId: this.workspaceId,
        state: this.state,
        logger: this.log,
        listener: {
          open: () => {
            opened = true;
            if (conn) void unlink();
          },
          qr: () => settle(false), // not linked after all: nothing to tell WhatsApp
          close: (reason) => settle(reason.kind === 'logged_out'),
          paired() {},
          message: (msg) => this.deps.traffic?.message(this.sessionId, this.workspaceId, msg),
          receipt: (u) => this.deps.traffic?.receipt(this.sessionId, this.workspaceId, u),
        },
      });
      if (opened) void unlink();
      return await outcome;
    } catch (err) {
      this.log.warn({ err }, 'could not connect to unlink the device');
      return false;
    } finally {
      clearTimeout(timer);
      await conn?.end().catch(() => undefined);
    }
  }

  /** Cluster fencing: later state writes carry this lease epoch and fail once another node holds a newer one. */
  setFence(epoch: number): void {
    this.state.setFence({ epoch });
  }

  /**
   * The lease is gone (another node owns the session now, or this node lost the database):
   * disconnect at once and record nothing — the status belongs to the new owner.
   */
  async abandon(): Promise<void> {
    const conn = this.conn;
    this.ended = true;
    this.invalidate();
    this.status = 'stopped';
    for (const w of this.waiters) w(); // a host() waiting for this connect attempt moves on
    if (conn) await conn.end().catch(() => undefined);
    this.state.discard();
  }

  /** Graceful shutdown of this node: close the socket, flush state, leave `desired` as it is. */
  async shutdown(): Promise<void> {
    const conn = this.conn;
    this.ended = true;
    this.invalidate();
    if (conn) await conn.end().catch((err) => this.log.warn({ err }, 'closing the connection failed'));
    else await this.state.flush();
    if (!isFinal(this.status)) await this.setStatus('reconnecting', null, false);
    await this.persistChain;
  }

  /**
   * Resolves once this connection attempt has settled — open, waiting for a scan, or down —
   * or after `timeoutMs`; with the status it reached.
   */
  async connectOutcome(timeoutMs: number): Promise<SessionStatus> {
    await this.waitFor(() => this.status !== 'starting' && this.status !== 'pairing', timeoutMs);
    return this.status;
  }

  async requestPairingCode(phone: string, waitMs = 15_000): Promise<string> {
    if (this.status === 'starting') await this.waitFor(() => this.status !== 'starting', waitMs);
    const conn = this.conn;
    if (!conn || (this.status !== 'qr' && this.status !== 'pairing')) {
      throw new AppError('not_waiting_for_qr', `session is '${this.status}'; a pairing code can only be requested while it waits to be linked`);
    }
    const code = await conn.requestPairingCode(phone);
    await this.apply({ type: 'pairing_code' }, null);
    return code;
  }

  // ——— internals ———

  private invalidate(): void {
    this.generation++;
    this.conn = undefined;
    this.qr = undefined;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /**
   * Feeds the status machine. Inputs are applied one at a time, in arrival order, and a status
   * is announced only after the work that makes it true: a `logged_out` session's state is
   * already deleted when the event goes out, so a `start` right after it pairs from scratch.
   * `announce` publishes the status even when it did not change.
   */
  private apply(input: StatusInput, error: string | null, announce = false): Promise<void> {
    const run = this.applyChain.then(() => this.applyNow(input, error, announce));
    this.applyChain = run.catch((err) => this.log.error({ err, input: input.type }, 'session transition failed'));
    return run;
  }

  private async applyNow(input: StatusInput, error: string | null, announce: boolean): Promise<void> {
    const next = transition(this.status, input);
    const keepPairing = input.type === 'qr' && this.status === 'pairing';
    const status = keepPairing ? 'pairing' : next.status;
    const becameFinal = !isFinal(this.status) && isFinal(status);
    const changed = status !== this.status || !!error || announce;
    if (next.action === 'disconnect' || next.action === 'forget') {
      const conn = this.conn;
      this.invalidate();
      this.status = status; // late events of the old connection now see the new status
      if (conn) await conn.end().catch((err) => this.log.warn({ err }, 'closing the connection failed'));
      if (next.action === 'forget') await this.state.delete();
    }
    if (changed) await this.setStatus(status, error, becameFinal);
    if (becameFinal) this.deps.traffic?.stopped?.(this.sessionId, error ?? `session ${status}`);
    if (next.action === 'connect') await this.connect();
    else if (next.action === 'reconnect_later') this.scheduleReconnect();
  }

  private async connect(): Promise<void> {
    if (this.ended) return;
    const conn0 = this.conn;
    this.invalidate();
    if (conn0) await conn0.end().catch(() => undefined);
    const gen = this.generation;
    const alive = () => gen === this.generation;
    await this.deps.pacer?.turn();
    if (!alive()) return;
    if (this.deps.mayConnect && !this.deps.mayConnect()) {
      // the lease may have ended (renewals stalled, or the process was frozen): never dial then;
      // the cluster node drops the session if it really lost it, else the retry connects
      this.log.warn('not connecting: this node’s lease on the session is not fresh; trying again later');
      this.scheduleReconnect();
      return;
    }
    try {
      const conn = await this.deps.engine.connect({
        sessionId: this.sessionId,
        workspaceId: this.workspaceId,
        state: this.state,
        logger: this.log,
        listener: {
          qr: (qr, expiresAt) => {
            if (!alive()) return;
            this.qr = { qr, expiresAt };
            void this.apply({ type: 'qr' }, null).then(() => {
              if (alive() && this.status === 'qr') {
                this.deps.events.publish(
                  makeEvent('session.qr', this.workspaceId, this.sessionId, { qr, expiresAt: expiresAt.toISOString() }, this.deps.clock),
                );
              }
            });
          },
          paired: (account) => {
            if (!alive()) return;
            this.account = account;
            void this.apply({ type: 'paired' }, null);
          },
          open: (account) => {
            if (!alive()) return;
            this.account = account;
            this.openSince = this.deps.clock.now();
            this.qrRounds = 0;
            void this.apply({ type: 'open' }, null).then(() => this.deps.traffic?.opened?.(this.sessionId));
          },
          close: (reason) => {
            if (!alive()) return;
            void this.onClose(reason);
          },
          message: (msg) => alive() && this.deps.traffic?.message(this.sessionId, this.workspaceId, msg),
          receipt: (u) => alive() && this.deps.traffic?.receipt(this.sessionId, this.workspaceId, u),
        },
      });
      if (!alive()) {
        await conn.end().catch(() => undefined);
        return;
      }
      this.conn = conn;
    } catch (err) {
      if (!alive()) return;
      const message = `could not start: ${(err as Error).message}`;
      // not awaited: this runs inside a transition, and the next one queues behind it
      if (err instanceof StateDecodeError) {
        // the stored state can't be read (wrong key, damaged): retrying can't help
        this.log.error({ err }, 'could not start the connection');
        void this.apply({ type: 'fatal' }, message);
      } else {
        // e.g. the state store is unreachable: like a dropped connection, retried with backoff
        this.log.warn({ err }, 'could not start the connection; retrying');
        void this.onClose({ kind: 'transient', message });
      }
    }
  }

  private async onClose(reason: CloseReason): Promise<void> {
    this.conn = undefined;
    this.qr = undefined;
    const now = this.deps.clock.now();
    if (this.openSince !== undefined && now - this.openSince >= (this.deps.stableAfterMs ?? 30_000)) this.attempts = 0;
    this.openSince = undefined;
    if (reason.kind === 'qr_timeout') this.qrRounds++;
    const qrRoundsLeft = this.qrRounds < (this.deps.maxQrRounds ?? 3);
    this.log.info({ kind: reason.kind, code: reason.code }, `connection closed: ${reason.message}`);
    const error = reason.kind === 'transient' || reason.kind === 'restart_required' ? null : reason.message;
    await this.apply({ type: 'close', kind: reason.kind, qrRoundsLeft }, reason.kind === 'qr_timeout' && qrRoundsLeft ? null : error);
    if (reason.kind === 'transient') await this.setLastError(reason.message);
  }

  private scheduleReconnect(): void {
    if (this.ended) return;
    const delay = backoffDelay(this.attempts++, this.deps.backoff ?? DEFAULT_BACKOFF, this.deps.random);
    const gen = this.generation;
    this.log.info({ delay, attempt: this.attempts }, 'reconnecting after backoff');
    this.retryTimer = setTimeout(() => {
      if (gen !== this.generation) return;
      this.retryTimer = undefined;
      void this.connect();
    }, delay);
    this.retryTimer.unref?.();
  }

  private setLastError(message: string): Promise<void> {
    return this.enqueue(() => this.deps.repo.update(this.sessionId, { last_error: message, updated_at: this.deps.clock.now() }));
  }

  private setStatus(status: SessionStatus, error: string | null, becameFinal: boolean): Promise<void> {
    this.status = status;
    for (const w of this.waiters) w();
    const account = this.account;
    const now = this.deps.clock.now();
    if (account?.phone) this.phone = account.phone;
    const phone = this.phone;
    return this.enqueue(async () => {
      await this.deps.repo.update(this.sessionId, {
        status,
        updated_at: now,
        ...(this.deps.writesNode === false ? {} : { node_id: isFinal(status) ? null : this.deps.nodeId }),
        ...(status === 'open' || status === 'starting' ? { last_error: null } : {}),
        ...(error ? { last_error: error } : {}),
        ...(account?.phone ? { phone: account.phone, jid: account.jid, lid: account.lid, push_name: account.pushName } : {}),
        // logged out and given-up sessions stay down after a restart; a failed one (bad state key,
        // replaced) is tried again when the gateway restarts, e.g. with the configuration fixed
        ...(becameFinal && status !== 'failed' ? { desired: 'stopped' as const } : {}),
      });
      this.deps.events.publish(
        makeEvent(
          'session.status',
          this.workspaceId,
          this.sessionId,
          { status, phone, reason: error },
          this.deps.clock,
        ),
      );
    });
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.persistChain.then(work).catch((err) => this.log.error({ err }, 'persisting session status failed'));
    this.persistChain = next;
    return next;
  }

  private waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!cond()) return;
        done();
      };
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(check);
    });
  }
}
