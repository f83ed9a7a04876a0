import QRCode from 'qrcode';
import type { Clock } from '../core/clock.js';
import { AppError, notFound } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import { newId } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import type { StateVault } from '../state-store/index.js';
import type { Engine } from './engine.js';
import { isFinal } from './status-machine.js';
import { restoreAll, type RestoreOptions, type RestoreProgress } from './restore.js';
import { type SessionRow, type SessionView, SessionRepo, toView } from './session-repo.js';
import { type QrCode, type RuntimeDeps, SessionRuntime, type SessionTraffic } from './session-runtime.js';

export interface SessionServiceDeps {
  repo: SessionRepo;
  engine: Engine;
  vault: StateVault;
  events: EventBus;
  logger: Logger;
  clock: Clock;
  nodeId: string;
  traffic?: SessionTraffic;
  runtime?: Partial<Pick<RuntimeDeps, 'backoff' | 'maxQrRounds' | 'stableAfterMs' | 'random'>>;
  restore?: RestoreOptions & { connectWindowMs?: number };
}

const NAME_MAX = 100;

/** Sessions as a service: the API's verbs, over the live runtimes this node hosts. */
export class SessionService {
  private readonly runtimes = new Map<string, SessionRuntime>();
  private traffic?: SessionTraffic;
  private closing = false;

  constructor(private readonly deps: SessionServiceDeps) {
    this.traffic = deps.traffic;
  }

  /** The messaging layer registers here (it is built after the session service). */
  setTraffic(traffic: SessionTraffic): void {
    this.traffic = traffic;
  }

  async create(workspaceId: string, input: { name?: string }): Promise<SessionView> {
    const now = this.deps.clock.now();
    const id = newId('ses', now);
    const name = (input.name ?? '').trim() || `Device ${id.slice(-6)}`;
    if (name.length > NAME_MAX) throw new AppError('validation_failed', `name must be at most ${NAME_MAX} characters`);
    const row: SessionRow = {
      id,
      workspace_id: workspaceId,
      name,
      desired: 'running',
      status: 'starting',
      phone: null,
      jid: null,
      lid: null,
      push_name: null,
      node_id: this.deps.nodeId,
      region: null,
      last_error: null,
      created_at: now,
      updated_at: now,
    };
    await this.deps.repo.insert(row);
    const rt = this.runtimeFor(row);
    await rt.start();
    return this.get(workspaceId, id);
  }

  async list(workspaceId: string): Promise<SessionView[]> {
    return (await this.deps.repo.list(workspaceId)).map(toView);
  }

  async get(workspaceId: string, id: string): Promise<SessionView> {
    return toView(await this.row(workspaceId, id));
  }

  async rename(workspaceId: string, id: string, name: string): Promise<SessionView> {
    await this.row(workspaceId, id);
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > NAME_MAX) throw new AppError('validation_failed', `name must be 1 to ${NAME_MAX} characters`);
    await this.deps.repo.update(id, { name: trimmed, updated_at: this.deps.clock.now() });
    return this.get(workspaceId, id);
  }

  async start(workspaceId: string, id: string): Promise<SessionView> {
    const row = await this.row(workspaceId, id);
    const live = this.runtimes.get(id);
    if (live && !['stopped', 'logged_out', 'failed'].includes(live.currentStatus)) return toView(row);
    await this.deps.repo.update(id, { desired: 'running', updated_at: this.deps.clock.now() });
    const rt = this.runtimeFor(row);
    await rt.start();
    await rt.settled();
    return this.get(workspaceId, id);
  }

  async stop(workspaceId: string, id: string): Promise<SessionView> {
    await this.row(workspaceId, id);
    await this.deps.repo.update(id, { desired: 'stopped', updated_at: this.deps.clock.now() });
    const rt = this.runtimes.get(id);
    if (rt) {
      await rt.stop();
      await rt.settled();
    } else {
      await this.deps.repo.update(id, { status: 'stopped', node_id: null, updated_at: this.deps.clock.now() });
    }
    return this.get(workspaceId, id);
  }

  async logout(workspaceId: string, id: string): Promise<SessionView> {
    const row = await this.row(workspaceId, id);
    await this.deps.repo.update(id, { desired: 'stopped', updated_at: this.deps.clock.now() });
    const rt = this.runtimeFor(row);
    await rt.logout();
    await rt.settled();
    return this.get(workspaceId, id);
  }

  async delete(workspaceId: string, id: string): Promise<void> {
    const row = await this.row(workspaceId, id);
    const rt = this.runtimes.get(id);
    if (rt && rt.connection) await rt.logout();
    else if (rt) await rt.stop();
    if (rt) await rt.settled();
    this.runtimes.delete(id);
    await this.deps.vault.forSession({ workspaceId: row.workspace_id, sessionId: id }).delete();
    await this.traffic?.deleted?.(id);
    await this.deps.repo.delete(id);
  }

  async qr(workspaceId: string, id: string): Promise<QrCode> {
    const row = await this.row(workspaceId, id);
    const qr = this.runtimes.get(id)?.currentQr;
    if (!qr) throw new AppError('not_waiting_for_qr', `session is '${row.status}', not waiting for a QR scan`);
    return qr;
  }

  async qrPng(workspaceId: string, id: string): Promise<Buffer> {
    const { qr } = await this.qr(workspaceId, id);
    return QRCode.toBuffer(qr, { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 6 });
  }

  async pairingCode(workspaceId: string, id: string, phone: string): Promise<string> {
    await this.row(workspaceId, id);
    const rt = this.runtimes.get(id);
    if (!rt) throw new AppError('not_waiting_for_qr', 'session is not running; start it first');
    return rt.requestPairingCode(phone);
  }

  /** Sessions this node is keeping connected (or trying to). */
  liveCount(): number {
    let n = 0;
    for (const rt of this.runtimes.values()) if (!isFinal(rt.currentStatus)) n++;
    return n;
  }

  /** How many of this node's sessions are in each status. */
  countByStatus(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const rt of this.runtimes.values()) out[rt.currentStatus] = (out[rt.currentStatus] ?? 0) + 1;
    return out;
  }

  /** The live runtime of a session on this node, if any (messaging uses it to send). */
  runtime(id: string): SessionRuntime | undefined {
    return this.runtimes.get(id);
  }

  /** Reconnects every session that should be running, paced (see restore.ts). */
  async restore(onProgress?: (p: RestoreProgress) => void): Promise<RestoreProgress> {
    const rows = await this.deps.repo.listDesiredRunning();
    const connectWindowMs = this.deps.restore?.connectWindowMs ?? 20_000;
    return restoreAll(
      rows,
      async (row) => {
        if (this.closing) return 'other';
        const rt = this.runtimeFor(row);
        await rt.start();
        return (await rt.connectOutcome(connectWindowMs)) === 'open' ? 'open' : 'other';
      },
      this.deps.restore ?? {},
      this.deps.logger,
      onProgress,
    );
  }

  async shutdown(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.runtimes.values()].map((rt) => rt.shutdown()));
    this.runtimes.clear();
  }

  private async row(workspaceId: string, id: string): Promise<SessionRow> {
    const row = await this.deps.repo.get(id);
    if (!row || row.workspace_id !== workspaceId) throw notFound('session', id, 'session_not_found');
    return row;
  }

  private runtimeFor(row: SessionRow): SessionRuntime {
    let rt = this.runtimes.get(row.id);
    if (!rt) {
      const state = this.deps.vault.forSession({ workspaceId: row.workspace_id, sessionId: row.id });
      const traffic: SessionTraffic = {
        message: (...a) => this.traffic?.message(...a),
        receipt: (...a) => this.traffic?.receipt(...a),
        opened: (id) => this.traffic?.opened?.(id),
        stopped: (id, reason) => this.traffic?.stopped?.(id, reason),
      };
      rt = new SessionRuntime(
        { ...this.deps.runtime, engine: this.deps.engine, repo: this.deps.repo, events: this.deps.events, logger: this.deps.logger, clock: this.deps.clock, nodeId: this.deps.nodeId, traffic },
        row.id,
        row.workspace_id,
        state,
        { status: row.status as SessionView['status'], phone: row.phone },
      );
      this.runtimes.set(row.id, rt);
    }
    return rt;
  }
}
