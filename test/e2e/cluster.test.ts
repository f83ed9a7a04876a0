import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../../src/webhooks/testing/receiver.js';
import { startTestSim, testPhone, type TestSim } from '../support/sim.js';
import { TestCluster } from '../support/cluster.js';
import type { ApiClient } from '../support/api-client.js';
import type { SseClient } from '../support/sse.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

type SessionRow = { id: string; status: string; node: string | null; lastError?: string | null };

/** The keys CONTRACT §2 gives a node in GET /v1/nodes, plus `labels` (cluster mode's addition). */
const NODE_KEYS = ['capacity', 'id', 'labels', 'lastHeartbeat', 'region', 'sessions', 'status', 'url'];

const qrEvents = (...streams: SseClient[]) => streams.flatMap((s) => s.events).filter((e) => e.event === 'session.qr');

/** A webhook's outbox as the API shows it: deliveries per status (paging through all of them), and the delivered events' ids. */
async function outbox(api: ApiClient, hookId: string) {
  const list = async (status: string) => {
    const eventIds: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { deliveries: Array<{ eventId: string }>; nextCursor: string | null } = (
        await api.get(`/v1/webhooks/${hookId}/deliveries?status=${status}&limit=100${cursor ? `&cursor=${cursor}` : ''}`)
      ).body;
      eventIds.push(...page.deliveries.map((d) => d.eventId));
      cursor = page.nextCursor;
    } while (cursor);
    return eventIds;
  };
  // the lists are read one after another, while deliveries go on: the unsettled ones first, so a
  // delivery that settles in between is in `delivered` rather than in neither list
  const pending = (await list('pending')).length;
  const delivering = (await list('delivering')).length;
  const delivered = await list('delivered');
  return { pending, delivering, delivered: delivered.length, failed: (await list('failed')).length, deliveredIds: delivered };
}
const idle = (o: Awaited<ReturnType<typeof outbox>>) => o.pending === 0 && o.delivering === 0;

/**
 * Cluster mode with real gateway processes on PostgreSQL + Redis against one simulator: placement,
 * routing, event fan-out, webhooks once, drain, failover after SIGKILL, rolling restart. The
 * tests run in order on one cluster and build on each other's sessions.
 */
describe('cluster (3 nodes, PostgreSQL + Redis)', () => {
  let sim: TestSim;
  let c: TestCluster;
  let receiver: Receiver;
  let hookId: string;
  const ids: string[] = [];

  const conflicts = async () => (await sim.admin('GET', '/admin/stats')).body.conflicts as number;
  const allOpen = (rows: SessionRow[]) => ids.every((id) => rows.find((r) => r.id === id)?.status === 'open');
  const byNode = (rows: SessionRow[]) => {
    const m: Record<string, number> = {};
    for (const r of rows) if (ids.includes(r.id) && r.node) m[r.node] = (m[r.node] ?? 0) + 1;
    return m;
  };
  /**
   * Waits until every webhook delivery queued so far is settled (the outbox idle), then checks each
   * event reached the receiver exactly once. Events may still be arriving meanwhile, so what was
   * received before the outbox was read must be marked delivered in it, and what it marks
   * delivered must have been received by the time it was read.
   */
  async function expectEachEventDeliveredOnce(what: string) {
    const before = new Set(receiver.countById().keys());
    const settled = await c.until(`${what}: outbox idle`, () => outbox(c.node('n1').api, hookId), idle);
    const after = receiver.countById();
    expect(settled.failed).toBe(0);
    const describe = (id: string) => receiver.receipts.items.filter((r) => r.headers['webhook-id'] === id).map((r) => r.body);
    expect([...before].filter((id) => !settled.deliveredIds.includes(id)).flatMap(describe)).toEqual([]); // received, yet not delivered in the outbox
    expect(settled.deliveredIds.filter((id) => !after.has(id))).toEqual([]); // delivered in the outbox, never received
    expect([...after.entries()].filter(([, n]) => n !== 1).flatMap(([id]) => describe(id))).toEqual([]); // received more than once
    return settled;
  }

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

  it('places new sessions across the nodes; any node serves QR and status; SSE on one node sees every session; webhooks once', async () => {
    const nodes = (await c.node('n2').api.get('/v1/nodes')).body.nodes;
    expect(nodes.map((n: { id: string; status: string }) => [n.id, n.status])).toEqual([
      ['n1', 'active'],
      ['n2', 'active'],
      ['n3', 'active'],
    ]);
    for (const n of nodes) {
      expect(Object.keys(n).sort()).toEqual(NODE_KEYS);
      expect(n).toMatchObject({ url: c.node(n.id).proc.url, region: null, labels: {}, capacity: 5000, sessions: 0 });
      expect(Math.abs(Date.parse(n.lastHeartbeat) - Date.now())).toBeLessThan(30_000);
    }
    const hook = await c.node('n1').api.post('/v1/webhooks', { url: receiver.url, events: ['session.status'] });
    expect(hook.status).toBe(201);
    hookId = hook.body.id;
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
      expect((await sim.admin('POST', '/admin/scan', { qr: qr.body.qr, phone: testPhone('62831') })).status).toBe(200);
      await events.waitFor((e) => e.data.sessionId === id && e.data.data?.status === 'open', 20_000, `${id} open`);
    }
    const rows = await c.sessions('n3');
    expect(allOpen(rows)).toBe(true);
    expect(Object.keys(byNode(rows)).sort()).toEqual(['n1', 'n2', 'n3']); // spread over all three
    expect(Math.max(...Object.values(byNode(rows)))).toBe(2);
    // webhooks: each session.status event delivered once, by the node that produced it
    await c.until('webhook deliveries', async () => receiver.receipts.items.length, (n) => n >= ids.length * 3);
    await expectEachEventDeliveredOnce('after placement');
    expect(await conflicts()).toBe(0);
  }, 150_000);

  it('a send through a node that does not own the session is forwarded to the owner and delivered', async () => {
    const rows = await c.sessions('n1');
    const row = rows.find((r) => ids.includes(r.id) && r.node !== 'n1')!;
    const contact = testPhone('62832');
    const sent = await c.node('n1').api.post(`/v1/sessions/${row.id}/messages`, { to: contact, text: 'via another node' });
    expect(sent.status).toBe(202);
    expect(sent.headers.get('x-kirim-node')).toBe(row.node);
    const msg = await c.until(
      'delivered',
      async () => (await c.node('n1').api.get(`/v1/sessions/${row.id}/messages/${sent.body.id}`)).body,
      (m) => m.status === 'delivered',
    );
    expect(msg.text).toBe('via another node');
    const inbox = (await sim.admin('GET', `/admin/contacts/${contact}/inbox`)).body.messages;
    expect(inbox.map((m: { text: string }) => m.text)).toEqual(['via another node']);
  }, 45_000);

  it('through a node that does not own the session: QR, pairing code, stop, start, logout and DELETE reach the owner', async () => {
    const events = c.sse('n1');
    await events.ready;
    const ownerOf = async (id: string) => (await c.node('n1').api.get(`/v1/sessions/${id}`)).body.node as string | null;
    const notOwner = (owner: string | null) => ['n1', 'n2', 'n3'].find((n) => n !== owner)!;
    const id = (await c.node('n1').api.post('/v1/sessions', { name: 'routed' })).body.id as string;
    await events.waitFor((e) => e.event === 'session.qr' && e.data.sessionId === id, 15_000, 'first qr');
    const owner = (await ownerOf(id))!;
    expect(owner).not.toBeNull();
    const api = c.node(notOwner(owner)).api;

    const qr = await api.get(`/v1/sessions/${id}/qr`);
    expect(qr.status).toBe(200);
    expect(qr.headers.get('x-kirim-node')).toBe(owner);
    expect(qrEvents(events).filter((e) => e.data.sessionId === id).map((e) => e.data.data.qr)).toContain(qr.body.qr);

    const phone = testPhone('62834');
    const code = await api.post(`/v1/sessions/${id}/pairing-code`, { phone });
    expect(code.status).toBe(200);
    expect(code.headers.get('x-kirim-node')).toBe(owner);
    expect(code.body.code).toMatch(/^[A-Z0-9]{8}$/);
    expect((await api.get(`/v1/sessions/${id}`)).body.status).toBe('pairing');
    expect((await sim.admin('POST', '/admin/pairing-code', { phone, code: code.body.code })).status).toBe(200);
    await events.waitFor((e) => e.data.sessionId === id && e.data.data?.status === 'open', 20_000, 'linked by code');

    const stopped = await api.post(`/v1/sessions/${id}/stop`);
    expect(stopped.status).toBe(200);
    expect(stopped.headers.get('x-kirim-node')).toBe(owner);
    expect(stopped.body).toMatchObject({ status: 'stopped', node: null });

    // a stopped session has no owner: start is answered where it lands, which places it anew
    const qrsBefore = qrEvents(events).length;
    const started = await api.post(`/v1/sessions/${id}/start`);
    expect(started.status).toBe(200);
    expect(started.headers.get('x-kirim-node')).toBeNull();
    await c.until('open again', () => c.sessions('n1'), (r) => r.find((x) => x.id === id)?.status === 'open');
    expect(qrEvents(events).length).toBe(qrsBefore); // linked: it logs in from the shared state, no QR

    const owner2 = (await ownerOf(id))!;
    const loggedOut = await c.node(notOwner(owner2)).api.post(`/v1/sessions/${id}/logout`);
    expect(loggedOut.status).toBe(200);
    expect(loggedOut.headers.get('x-kirim-node')).toBe(owner2);
    expect(loggedOut.body).toMatchObject({ status: 'logged_out', node: null });

    const mark = events.events.length;
    await c.node('n1').api.post(`/v1/sessions/${id}/start`);
    await events.waitFor((e) => e.event === 'session.qr' && e.data.sessionId === id && events.events.indexOf(e) >= mark, 15_000, 'a fresh qr');
    const owner3 = (await ownerOf(id))!;
    const deleted = await c.node(notOwner(owner3)).api.delete(`/v1/sessions/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.headers.get('x-kirim-node')).toBe(owner3);
    for (const n of ['n1', 'n2', 'n3']) expect((await c.node(n).api.get(`/v1/sessions/${id}`)).status).toBe(404);
    expect(await conflicts()).toBe(0);
  }, 90_000);

  it('drain moves a node’s sessions to the others without a re-scan; unknown node → 404', async () => {
    expect((await c.node('n1').api.post('/v1/nodes/nope/drain')).body.error.code).toBe('node_not_found');
    const rows0 = await c.sessions('n1');
    const before = byNode(rows0);
    expect(before.n3).toBeGreaterThan(0);
    const onN3 = rows0.filter((r) => ids.includes(r.id) && r.node === 'n3').map((r) => r.id);
    // the rows name a session's new node as soon as it is assigned, while the old node is still
    // closing it: that it really reopened is told by the stream, not by a poll of the rows
    const reopenedSince = (mark: number, sessionIds: string[], what: string) =>
      Promise.all(
        sessionIds.map((id) =>
          events.waitFor((e) => e.event === 'session.status' && e.data.sessionId === id && e.data.data?.status === 'open' && events.events.indexOf(e) >= mark, 30_000, `${what}: ${id} open`),
        ),
      );
    const events = c.sse('n1');
    await events.ready;
    const drained = await c.node('n1').api.post('/v1/nodes/n3/drain');
    expect(drained.status).toBe(200);
    expect(drained.body).toMatchObject({ id: 'n3', status: 'draining', sessions: 0 });
    await reopenedSince(0, onN3, 'drained'); // the stream opened just before the drain
    const rows = await c.until('all open after drain', () => c.sessions('n2'), (r) => allOpen(r) && !byNode(r).n3);
    expect(byNode(rows).n3).toBeUndefined();
    expect(await conflicts()).toBe(0);
    // a drained node that restarts comes back active
    await c.node('n3').proc.stop('SIGTERM');
    const beforeRejoin = events.events.length;
    await c.start('n3');
    const nodes = (await c.node('n3').api.get('/v1/nodes')).body.nodes;
    expect(nodes.find((n: { id: string }) => n.id === 'n3').status).toBe('active');
    // and the cluster rebalances onto it, a few moves at a time, without re-scans
    const balanced = await c.until('rebalanced onto n3', () => c.sessions('n1'), (r) => allOpen(r) && (byNode(r).n3 ?? 0) >= 2);
    expect(Object.values(byNode(balanced)).every((n) => n === 2)).toBe(true);
    // the moved sessions reconnected (the stream saw them open again), and none showed a QR
    await reopenedSince(beforeRejoin, balanced.filter((r) => ids.includes(r.id) && r.node === 'n3').map((r) => r.id), 'rebalanced');
    await c.until('all open after the rebalance', () => c.sessions('n2'), allOpen);
    expect(qrEvents(events)).toEqual([]);
    expect(await conflicts()).toBe(0);
  }, 150_000);

  it('SIGKILL of a node: its sessions come back open on the others, no QR, never connected twice; its queued webhooks still go out once', async () => {
    // let the rebalance after n3's return settle so n2 owns sessions, and the outbox drain
    const rows0 = await c.until('n2 owns sessions', () => c.sessions('n1'), (r) => allOpen(r) && (byNode(r).n2 ?? 0) > 0);
    await expectEachEventDeliveredOnce('before the kill');
    const victims = rows0.filter((r) => ids.includes(r.id) && r.node === 'n2').map((r) => r.id);

    // webhook deliveries queued by n2, whose first attempt failed: they wait in the outbox for a retry
    let failing = true;
    const okPerId = new Map<string, number>();
    const pinged = await startReceiver((r) => {
      if (failing) return 503;
      okPerId.set(r.headers['webhook-id'], (okPerId.get(r.headers['webhook-id']) ?? 0) + 1);
      return 200;
    });
    try {
      const hook2 = (await c.node('n2').api.post('/v1/webhooks', { url: pinged.url, events: ['message.received'] })).body.id as string;
      const pings: string[] = [];
      for (let i = 0; i < 3; i++) pings.push((await c.node('n2').api.post(`/v1/webhooks/${hook2}/test`)).body.eventId);
      await c.until('first attempts failed', () => outbox(c.node('n1').api, hook2), (o) => o.pending === 3 && pinged.receipts.items.length >= 3);
      expect([...pinged.countById().keys()].sort()).toEqual([...pings].sort());

      const events = c.sse('n1');
      await events.ready;
      const t0 = Date.now();
      expect(await c.node('n2').proc.stop('SIGKILL')).toBe(null);
      failing = false;
      // until its sessions have moved, calls that need their connection say so, with a retry hint
      const down = await c.node('n1').api.get(`/v1/sessions/${victims[0]}/qr`);
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toBe('2');
      expect(down.body.error).toMatchObject({ code: 'unavailable', message: expect.stringContaining('n2') });

      const rows = await c.until('victims open elsewhere', () => c.sessions('n1'), (r) => victims.every((id) => r.find((x) => x.id === id)?.status === 'open' && r.find((x) => x.id === id)?.node !== 'n2'));
      const took = Date.now() - t0;
      expect(took).toBeLessThan(c.leaseTtlMs + 12_000);
      expect(allOpen(rows)).toBe(true);
      // the stream told the truth in between: reconnecting (with why), then open
      for (const id of victims) {
        // the rows can be read before the stream has the event: wait for it
        await events.waitFor((e) => e.event === 'session.status' && e.data.sessionId === id && e.data.data?.status === 'open', 10_000, `${id} open on the stream`);
        const seen = events.events.filter((e) => e.event === 'session.status' && e.data.sessionId === id).map((e) => e.data.data.status);
        expect(seen.indexOf('reconnecting'), `${id}: ${seen.join(' → ')}`).toBeGreaterThanOrEqual(0);
        expect(seen.lastIndexOf('open')).toBeGreaterThan(seen.indexOf('reconnecting'));
      }
      const why = events.events.find((e) => e.event === 'session.status' && e.data.sessionId === victims[0] && e.data.data.status === 'reconnecting');
      expect(why?.data.data.reason).toContain("node 'n2' stopped answering");
      expect(qrEvents(events)).toEqual([]);
      expect(await conflicts()).toBe(0);
      const nodes = (await c.node('n1').api.get('/v1/nodes')).body.nodes;
      expect(nodes.find((n: { id: string }) => n.id === 'n2').status).toBe('dead');

      // the pings n2 queued are delivered by the surviving nodes: each exactly once
      const settled = await c.until('pings delivered after the kill', () => outbox(c.node('n1').api, hook2), (o) => idle(o) && o.delivered === 3, 20_000);
      expect(settled).toEqual({ pending: 0, delivering: 0, delivered: 3, failed: 0, deliveredIds: expect.arrayContaining(pings) });
      expect(Object.fromEntries(okPerId)).toEqual(Object.fromEntries(pings.map((p) => [p, 1])));
      await c.node('n1').api.delete(`/v1/webhooks/${hook2}`);
    } finally {
      await pinged.close();
    }
    await c.start('n2');
  }, 120_000);

  it('a rolling restart of every node loses no session and shows no QR', async () => {
    // one stream on n3 while n1 and n2 restart, one on n1 (already restarted) while n3 does
    const first = c.sse('n3');
    await first.ready;
    let second: SseClient | undefined;
    for (const id of ['n1', 'n2', 'n3']) {
      const other = id === 'n1' ? 'n2' : 'n1';
      if (id === 'n3') {
        second = c.sse('n1');
        await second.ready;
      }
      // the node about to go hosts sessions (the previous restart rebalanced some onto it)
      await c.until(`${id} hosts a session`, () => c.sessions(other), (r) => allOpen(r) && (byNode(r)[id] ?? 0) >= 1);
      expect(await c.node(id).proc.stop('SIGTERM')).toBe(0);
      await c.until(`all open without ${id}`, () => c.sessions(other), (r) => allOpen(r) && !byNode(r)[id]);
      await c.start(id);
    }
    const rows = await c.until('all open', () => c.sessions('n3'), allOpen);
    expect(rows.filter((r) => ids.includes(r.id)).every((r) => r.status === 'open')).toBe(true);
    // both streams were live during their restarts (they saw sessions reconnect), and no session asked for a scan
    for (const s of [first, second!]) expect(s.events.some((e) => e.data.data?.status === 'open')).toBe(true);
    expect(qrEvents(first, second!)).toEqual([]);
    expect(await conflicts()).toBe(0);
  }, 300_000);

  it('after drain, failover and a rolling restart, every session.status event was delivered exactly once', async () => {
    // the last restart's rebalancing is over: every node runs two sessions again
    await c.until('balanced', () => c.sessions('n1'), (r) => allOpen(r) && Object.values(byNode(r)).join() === '2,2,2');
    const settled = await expectEachEventDeliveredOnce('at the end');
    expect(settled.delivered).toBeGreaterThan(ids.length * 6);
  }, 60_000);
});

describe('cluster placement: regions and labels', () => {
  let sim: TestSim;
  let c: TestCluster;

  beforeAll(async () => {
    sim = await startTestSim();
    c = await TestCluster.create(sim);
    await c.start('eu1', { KIRIM_REGION: 'eu', KIRIM_NODE_LABELS: 'egress=proxy-a', KIRIM_NODE_CAPACITY: '50' });
    await c.start('us1', { KIRIM_REGION: 'us' });
  });
  afterAll(async () => {
    await c?.close();
    await sim?.close();
  });

  const session = async (id: string) => (await c.node('eu1').api.get(`/v1/sessions/${id}`)).body as SessionRow;
  const waitingForScan = (id: string, node: string) => c.until(`${id} waits for a scan on ${node}`, () => session(id), (s) => s.status === 'qr' && s.node === node);

  it('GET /v1/nodes shows each node with the contract’s keys, its region, labels and capacity', async () => {
    const nodes = await c.until('both nodes listed', async () => (await c.node('us1').api.get('/v1/nodes')).body.nodes, (n) => n.length === 2);
    for (const n of nodes) expect(Object.keys(n).sort()).toEqual(NODE_KEYS);
    const described = nodes.map((n: Record<string, unknown>) => Object.fromEntries(Object.entries(n).filter(([k]) => k !== 'lastHeartbeat' && k !== 'sessions')));
    expect(described).toEqual([
      { id: 'eu1', url: c.node('eu1').proc.url, region: 'eu', status: 'active', capacity: 50, labels: { egress: 'proxy-a' } },
      { id: 'us1', url: c.node('us1').proc.url, region: 'us', status: 'active', capacity: 5000, labels: {} },
    ]);
  }, 30_000);

  it('a session lands on a node of its preferred region, and only on nodes with the labels it requires', async () => {
    const inUs = await c.node('eu1').api.post('/v1/sessions', { region: 'us' });
    expect(inUs.status).toBe(201);
    expect(inUs.body).toMatchObject({ node: 'us1', region: 'us', labels: null });
    // labels are a must, the region only a preference: the only node with the label wins
    const proxied = await c.node('us1').api.post('/v1/sessions', { region: 'us', labels: { egress: 'proxy-a' } });
    expect(proxied.body).toMatchObject({ node: 'eu1', region: 'us', labels: { egress: 'proxy-a' } });
    await waitingForScan(inUs.body.id, 'us1');
    await waitingForScan(proxied.body.id, 'eu1');
    // and it really runs there: its QR comes from that node
    const qr = await c.node('eu1').api.get(`/v1/sessions/${inUs.body.id}/qr`);
    expect(qr.status).toBe(200);
    expect(qr.headers.get('x-kirim-node')).toBe('us1');
  }, 60_000);

  it('a session whose labels no node has waits unplaced, saying why; it starts when such a node joins', async () => {
    const created = await c.node('eu1').api.post('/v1/sessions', { labels: { egress: 'proxy-z' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'starting', node: null, lastError: expect.stringContaining('egress=proxy-z') });
    const id = created.body.id as string;
    expect((await c.node('us1').api.get(`/v1/sessions/${id}/qr`)).body.error.code).toBe('not_waiting_for_qr');

    // drains: unknown node → 404; a node's sessions go to the others; nothing to go to → 409
    expect((await c.node('eu1').api.post('/v1/nodes/nope/drain')).status).toBe(404);
    const drained = await c.node('eu1').api.post('/v1/nodes/us1/drain');
    expect(drained.status).toBe(200);
    expect(drained.body).toMatchObject({ id: 'us1', status: 'draining', sessions: 0 });
    const refused = await c.node('us1').api.post('/v1/nodes/eu1/drain');
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'conflict', message: expect.stringContaining('no other active node') });
    expect(await session(id)).toMatchObject({ status: 'starting', node: null }); // still waiting, ticks later

    await c.start('z1', { KIRIM_NODE_LABELS: 'egress=proxy-z' });
    await waitingForScan(id, 'z1');
    expect((await session(id)).lastError).toBeNull();
  }, 120_000);
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

    // it rode out the cut in-process (a pg client that died checked out used to crash it)
    expect(c.node('cut').proc.child.exitCode, c.node('cut').proc.logs.slice(-20).join('\n')).toBeNull();
    expect(c.node('cut').proc.child.signalCode).toBeNull();

    // reconnected, the cut node rejoins without disturbing the sessions
    await proxy.restore();
    await c.until('cut node alive again', async () => (await c.node('other').api.get('/v1/nodes')).body.nodes.find((n: { id: string }) => n.id === 'cut')?.status, (s) => s === 'active');
    await c.until('still open', () => c.sessions('other'), (r) => ids.every((id) => r.find((x) => x.id === id)?.status === 'open'));
    expect((await sim.admin('GET', '/admin/stats')).body.conflicts).toBe(0);
  }, 150_000);
});
