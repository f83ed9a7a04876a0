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
import { localOwnership, type SessionOwnership } from './ownership.js';
import { ConnectPacer } from './connect-pacer.js';

export interface SessionServiceDeps {
  repo: SessionRepo;
  engine: Engine;
  vault: StateVault;
  events: EventBus;
  logger: Logger;
  clock: Clock;
  nodeId: string;
  traffic?: SessionTraffic;
  runtime?: Partial<Pick<RuntimeDeps, 'backoff' | 'maxQrRounds' | 'stableAfterMs' | 'random' | 'unlinkWaitMs'>>;
  restore?: RestoreOptions & { connectWindowMs?: number };
  /** Cluster placement and leases; the embedded default runs everything here. */
  ownership?: SessionOwnership;
}

export interface CreateSessionInput {
  name?: string;
  /** Preferred region (cluster placement). */
  region?: string;
  /** Node labels the session must run on (cluster placement). */
  labels?: Record<string, string>;
}

const NAME_MAX = 100;

/** Sessions as a service: the API's verbs, over the live runtimes this node hosts. */
export class SessionService {
  private readonly runtimes = new Map<string, SessionRuntime>();
  private traffic?: SessionTraffic;
  private closing = false;
  private readonly ownership: SessionOwnership;
  private readonly pacer: ConnectPacer;

  constructor(private readonly deps: SessionServiceDeps) {
    this.traffic = deps.traffic;
    this.ownership = deps.ownership ?? localOwnership(deps.nodeId);
    this.pacer = new ConnectPacer(deps.restore?.ratePerSecond ?? 200);
  }

  /** The messaging layer registers here (it is built after the session service). */
  setTraffic(traffic: SessionTraffic): void {
    this.traffic = traffic;
  }

  async create(workspaceId: string, input: CreateSessionInput): Promise<SessionView> {
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
      node_id: null,
      region: input.region ?? null,
      labels: input.labels && Object.keys(input.labels).length ? JSON.stringify(input.labels) : null,
      last_error: null,
      created_at: now,
      updated_at: now,
    };
    row.node_id = await this.ownership.place(row);
    if (!row.node_id) {
      const needs = row.labels ? ` with labels ${Object.entries(input.labels!).map(([k, v]) => `${k}=${v}`).join(',')}` : '';
      row.last_error = `no live node${needs} has room for this session; it starts when one does`;
    }
    await this.deps.repo.insert(row);
    await this.runWhereAssigned(row);
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
    if (live && !isFinal(live.currentStatus)) return toView(row);
    const target = live ? this.ownership.nodeId : await this.ownership.place(row);
    await this.deps.repo.update(id, { desired: 'running', node_id: target, updated_at: this.deps.clock.now() });
    await this.runWhereAssigned({ ...row, desired: 'running', node_id: target });
    await this.runtimes.get(id)?.settled();
    return this.get(workspaceId, id);
  }

  async stop(workspaceId: string, id: string): Promise<SessionView> {
    await this.row(workspaceId, id);
    await this.deps.repo.update(id, { desired: 'stopped', updated_at: this.deps.clock.now() });
    const rt = this.runtimes.get(id);
    if (rt) {
      await rt.stop();
      await rt.settled();
      await this.unhost(id);
    }
    await this.deps.repo.update(id, { status: 'stopped', node_id: null, updated_at: this.deps.clock.now() });
    return this.get(workspaceId, id);
  }

  async logout(workspaceId: string, id: string): Promise<SessionView> {
    const row = await this.row(workspaceId, id);
    await this.deps.repo.update(id, { desired: 'stopped', updated_at: this.deps.clock.now() });
    const rt = this.runtimeFor(row);
    await rt.logout();
    await rt.settled();
    await this.unhost(id);
    await this.deps.repo.update(id, { node_id: null, updated_at: this.deps.clock.now() });
    return this.get(workspaceId, id);
  }

  async delete(workspaceId: string, id: string): Promise<void> {
    const row = await this.row(workspaceId, id);
    // a linked device is unlinked (briefly connecting if it is not connected), so the phone does not keep showing it
    const linked = row.phone !== null && row.status !== 'logged_out';
    const rt = linked ? this.runtimeFor(row) : this.runtimes.get(id);
    if (linked) await rt!.logout();
    else if (rt) await rt.stop();
    if (rt) await rt.settled();
    await this.unhost(id);
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
      { concurrency: this.deps.restore?.concurrency, ratePerSecond: Infinity }, // the pacer spaces the connects
      this.deps.logger,
      onProgress,
    );
  }

  // ——— hosting: the cluster's reconciler drives these ———

  /** Ids of the sessions this node has a runtime for. */
  hostedIds(): string[] {
    return [...this.runtimes.keys()];
  }

  /**
   * Connects sessions assigned to this node, holding their leases (epochs from the lease store),
   * paced like a restore. Resolves when each has settled or its connect window passed.
   */
  async host(rows: Array<{ row: SessionRow; epoch: number }>, onProgress?: (p: RestoreProgress) => void): Promise<RestoreProgress> {
    const connectWindowMs = this.deps.restore?.connectWindowMs ?? 20_000;
    return restoreAll(
      rows,
      async ({ row, epoch }) => {
        if (this.closing || this.runtimes.has(row.id)) return 'other';
        const rt = this.runtimeFor(row);
        rt.setFence(epoch);
        await rt.start();
        return (await rt.connectOutcome(connectWindowMs)) === 'open' ? 'open' : 'other';
      },
      { concurrency: this.deps.restore?.concurrency, ratePerSecond: Infinity },
      this.deps.logger,
      onProgress,
    );
  }

  /**
   * Stops hosting a session that moved away (drain, rebalance): closes the connection, writes the
   * state, gives the lease back, and tells the new owner.
   */
  async handOver(id: string, to: string | null): Promise<void> {
    const rt = this.runtimes.get(id);
    if (rt) await rt.shutdown();
    await this.unhost(id);
    if (to) this.ownership.notify(to);
  }

  /** The lease of a hosted session is lost (another node took it, or we can't renew): disconnect now, write nothing. */
  async leaseLost(id: string): Promise<void> {
    const rt = this.runtimes.get(id);
    this.runtimes.delete(id);
    if (rt) await rt.abandon();
  }

  async shutdown(): Promise<void> {
    this.closing = true;
    const ids = [...this.runtimes.keys()];
    await Promise.all([...this.runtimes.values()].map((rt) => rt.shutdown()));
    this.runtimes.clear();
    await Promise.all(ids.map((id) => this.ownership.release(id).catch(() => undefined)));
  }

  /** Runs a session here when it is assigned to this node, or wakes the node it is assigned to. */
  private async runWhereAssigned(row: SessionRow): Promise<void> {
    if (!row.node_id) return;
    if (row.node_id !== this.ownership.nodeId) {
      this.ownership.notify(row.node_id);
      return;
    }
    const live = this.runtimes.get(row.id);
    if (live) {
      await live.start();
      return;
    }
    const epoch = await this.ownership.acquire(row.id);
    if (epoch === null) {
      this.deps.logger.warn({ sessionId: row.id }, 'another node still holds this session; it starts here when that lease ends');
      return;
    }
    const rt = this.runtimeFor(row);
    if (this.ownership.clustered) rt.setFence(epoch);
    await rt.start();
  }

  private async unhost(id: string): Promise<void> {
    this.runtimes.delete(id);
    await this.ownership.release(id);
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
        {
          ...this.deps.runtime,
          engine: this.deps.engine,
          repo: this.deps.repo,
          events: this.deps.events,
          logger: this.deps.logger,
          clock: this.deps.clock,
          nodeId: this.deps.nodeId,
          traffic,
          writesNode: !this.ownership.clustered,
          pacer: this.pacer,
          mayConnect: () => this.ownership.mayConnect(row.id),
        },
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
