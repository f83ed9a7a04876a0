import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../../src/webhooks/testing/receiver.js';
import { startTestSim, testPhone, type TestSim } from '../support/sim.js';
import { TestCluster } from '../support/cluster.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

type SessionRow = { id: string; status: string; node: string | null };

/**
 * Cluster mode with real gateway processes on PostgreSQL + Redis against one simulator: placement,
 * routing, event fan-out, webhooks once, drain, failover after SIGKILL, rolling restart.
 */
describe('cluster (3 nodes, PostgreSQL + Redis)', () => {
  let sim: TestSim;
  let c: TestCluster;
  let receiver: Receiver;
  const ids: string[] = [];
  const phones = new Map<string, string>();

  const conflicts = async () => (await sim.admin('GET', '/admin/stats')).body.conflicts as number;
  const allOpen = (rows: SessionRow[]) => ids.every((id) => rows.find((r) => r.id === id)?.status === 'open');
  const byNode = (rows: SessionRow[]) => {
    const m: Record<string, number> = {};
    for (const r of rows) if (ids.includes(r.id) && r.node) m[r.node] = (m[r.node] ?? 0) + 1;
    return m;
  };

  beforeAll(async () => {
    sim = await startTestSim();
    c = await TestCluster.create(sim);
    receiver = await startReceiver();
    await Promise.all(['n1', 'n2', 'n3'].map((id) => c.start(id, { KIRIM_ALLOW_PRIVATE_URLS: '1' })));
  });
  afterAll(async () => {
    await c?.close();
    await receiver?.close();
    await sim?.close();
  });

  it('places new sessions across the nodes; any node serves QR and status; SSE on one node sees every session', async () => {
    const nodes = (await c.node('n2').api.get('/v1/nodes')).body.nodes;
    expect(nodes.map((n: { id: string; status: string }) => [n.id, n.status])).toEqual([
      ['n1', 'active'],
      ['n2', 'active'],
      ['n3', 'active'],
    ]);
    const hook = await c.node('n1').api.post('/v1/webhooks', { url: receiver.url, events: ['session.status'] });
    expect(hook.status).toBe(201);
    const events = c.sse('n1');
    await events.ready;
    for (let i = 0; i < 6; i++) {
      const created = await c.node('n1').api.post('/v1/sessions', { name: `cluster ${i}` });
      expect(created.status).toBe(201);
      const id = created.body.id;
      ids.push(id);
      const qrEvent = await events.waitFor((e) => e.event === 'session.qr' && e.data.sessionId === id, 15_000, `qr of ${id}`);
      // the QR lives in the owner's memory: asking another node is forwarded there
      const via = ['n1', 'n2', 'n3'][i % 3];
      const qr = await c.node(via).api.get(`/v1/sessions/${id}/qr`);
      expect(qr.status).toBe(200);
      expect(qr.body.qr).toBe(qrEvent.data.data.qr);
      const phone = testPhone('62831');
      phones.set(id, phone);
      expect((await sim.admin('POST', '/admin/scan', { qr: qr.body.qr, phone })).status).toBe(200);
      await events.waitFor((e) => e.data.sessionId === id && e.data.data?.status === 'open', 20_000, `${id} open`);
    }
    const rows = await c.sessions('n3');
    expect(allOpen(rows)).toBe(true);
    expect(Object.keys(byNode(rows)).sort()).toEqual(['n1', 'n2', 'n3']); // spread over all three
    expect(Math.max(...Object.values(byNode(rows)))).toBe(2);
    // webhooks: each session.status event delivered once, by the node that produced it
    await c.until('webhook deliveries', async () => receiver.receipts.items.length, (n) => n >= ids.length * 3);
    expect([...receiver.countById().values()].every((n) => n === 1)).toBe(true);
    expect(await conflicts()).toBe(0);
  });

  it('a send through a node that does not own the session is forwarded to the owner and delivered', async () => {
    const rows = await c.sessions('n1');
    const row = rows.find((r) => ids.includes(r.id) && r.node !== 'n1')!;
    const contact = testPhone('62832');
    const sent = await c.node('n1').api.post(`/v1/sessions/${row.id}/messages`, { to: contact, text: 'via another node' });
    expect(sent.status).toBe(202);
    const msg = await c.until(
      'delivered',
      async () => (await c.node('n1').api.get(`/v1/sessions/${row.id}/messages/${sent.body.id}`)).body,
      (m) => m.status === 'delivered',
    );
    expect(msg.text).toBe('via another node');
    const inbox = (await sim.admin('GET', `/admin/contacts/${contact}/inbox`)).body.messages;
    expect(inbox.map((m: { text: string }) => m.text)).toEqual(['via another node']);
  });

  it('drain moves a node’s sessions to the others without a re-scan', async () => {
    const before = byNode(await c.sessions('n1'));
    expect(before.n3).toBeGreaterThan(0);
    const qrBefore = (await sim.admin('GET', '/admin/stats')).body;
    const drained = await c.node('n1').api.post('/v1/nodes/n3/drain');
    expect(drained.status).toBe(200);
    expect(drained.body).toMatchObject({ id: 'n3', status: 'draining', sessions: 0 });
    const rows = await c.until('all open after drain', () => c.sessions('n2'), (r) => allOpen(r) && !byNode(r).n3);
    expect(byNode(rows).n3).toBeUndefined();
    expect(await conflicts()).toBe(0);
    // no new pairing happened: the simulator saw only logins
    const after = (await sim.admin('GET', '/admin/stats')).body;
    expect(after.conflicts).toBe(qrBefore.conflicts);
    // a drained node that restarts comes back active
    await c.node('n3').proc.stop('SIGTERM');
    await c.start('n3');
    const nodes = (await c.node('n3').api.get('/v1/nodes')).body.nodes;
    expect(nodes.find((n: { id: string }) => n.id === 'n3').status).toBe('active');
    // and the cluster rebalances onto it, a few moves at a time, without re-scans
    const balanced = await c.until('rebalanced onto n3', () => c.sessions('n1'), (r) => allOpen(r) && (byNode(r).n3 ?? 0) >= 2);
    expect(Object.values(byNode(balanced)).every((n) => n === 2)).toBe(true);
    expect(await conflicts()).toBe(0);
  });

  it('SIGKILL of a node: its sessions come back open on the others, no QR, never connected twice', async () => {
    // let the rebalance after n3's return settle so n2 owns sessions
    const rows0 = await c.until('n2 owns sessions', () => c.sessions('n1'), (r) => allOpen(r) && (byNode(r).n2 ?? 0) > 0);
    const victims = rows0.filter((r) => ids.includes(r.id) && r.node === 'n2').map((r) => r.id);
    const events = c.sse('n1');
    await events.ready;
    const t0 = Date.now();
    expect(await c.node('n2').proc.stop('SIGKILL')).toBe(null);
    const rows = await c.until('victims open elsewhere', () => c.sessions('n1'), (r) => victims.every((id) => r.find((x) => x.id === id)?.status === 'open' && r.find((x) => x.id === id)?.node !== 'n2'));
    const took = Date.now() - t0;
    expect(took).toBeLessThan(c.leaseTtlMs + 12_000);
    expect(allOpen(rows)).toBe(true);
    expect(events.events.filter((e) => e.event === 'session.qr')).toEqual([]);
    expect(await conflicts()).toBe(0);
    const nodes = (await c.node('n1').api.get('/v1/nodes')).body.nodes;
    expect(nodes.find((n: { id: string }) => n.id === 'n2').status).toBe('dead');
    await c.start('n2');
  });

  it('a rolling restart of every node loses no session', async () => {
    for (const id of ['n1', 'n2', 'n3']) {
      expect(await c.node(id).proc.stop('SIGTERM')).toBe(0);
      const other = id === 'n1' ? 'n2' : 'n1';
      await c.until(`all open without ${id}`, () => c.sessions(other), (r) => allOpen(r) && !byNode(r)[id]);
      await c.start(id);
    }
    const rows = await c.until('all open', () => c.sessions('n3'), allOpen);
    expect(rows.filter((r) => ids.includes(r.id)).every((r) => r.status === 'open')).toBe(true);
    expect(await conflicts()).toBe(0);
  });
});

describe('cluster: a node cut off from the database', () => {
  let sim: TestSim;
  let c: TestCluster;
  let proxy: TcpProxy;

  beforeAll(async () => {
    sim = await startTestSim();
    c = await TestCluster.create(sim);
    proxy = await startTcpProxy('127.0.0.1', 5432);
  });
  afterAll(async () => {
    await c?.close();
    await proxy?.close();
    await sim?.close();
  });

  it('stops its sessions before its leases end; another node takes them over; never connected twice', async () => {
    const viaProxy = new URL(c.pg.url);
    viaProxy.port = String(proxy.port);
    // no rebalancing: the sessions stay on the node that is going to be cut off
    await c.start('cut', { DATABASE_URL: viaProxy.toString(), KIRIM_NODE_CAPACITY: '100', KIRIM_REBALANCE_MOVES: '0' });
    const cutApi = c.node('cut').api;
    const events = c.sse('cut');
    await events.ready;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = (await cutApi.post('/v1/sessions', {})).body.id;
      const qr = await events.waitFor((e) => e.event === 'session.qr' && e.data.sessionId === id, 15_000, 'qr');
      await sim.admin('POST', '/admin/scan', { qr: qr.data.data.qr, phone: testPhone('62833') });
      await events.waitFor((e) => e.data.sessionId === id && e.data.data?.status === 'open', 20_000, 'open');
      ids.push(id);
    }
    await c.start('other', { KIRIM_REBALANCE_MOVES: '0' });
    expect((await c.sessions('other')).filter((r) => ids.includes(r.id)).every((r) => r.node === 'cut')).toBe(true);
    const connectionsBefore = (await sim.admin('GET', '/admin/stats')).body.connections;

    await proxy.cut();
    // the cut node drops its sockets on its own (the simulator sees them go) …
    await c.until('cut node disconnects', async () => (await sim.admin('GET', '/admin/stats')).body.connections, (n) => n <= connectionsBefore - ids.length, 15_000);
    // … and the other node brings every session back
    const rows = await c.until('taken over', () => c.sessions('other'), (r) => ids.every((id) => r.find((x) => x.id === id)?.node === 'other' && r.find((x) => x.id === id)?.status === 'open'), 30_000);
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect((await sim.admin('GET', '/admin/stats')).body.conflicts).toBe(0);

    // reconnected, the cut node rejoins without disturbing the sessions
    await proxy.restore();
    await c.until('cut node alive again', async () => (await c.node('other').api.get('/v1/nodes')).body.nodes.find((n: { id: string }) => n.id === 'cut')?.status, (s) => s === 'active');
    await c.until('still open', () => c.sessions('other'), (r) => ids.every((id) => r.find((x) => x.id === id)?.status === 'open'));
    expect((await sim.admin('GET', '/admin/stats')).body.conflicts).toBe(0);
  });
});
