import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { contactPhone, startFleet, waitSettled } from './lib/fleet.js';
import { benchResult, type BenchResult } from './lib/report.js';
import { round, summary } from './lib/stats.js';
import { receiveAll, waitUntil, type Inbound } from './lib/traffic.js';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10);
const BURST = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 1000);
const FAN_OUT = [1, 10];

interface Receipt {
  path: string;
  eventId: string;
  /** performance.now() and Date.now() at arrival, and the event's own timestamp (ms). */
  at: number;
  wallAt: number;
  eventTs: number;
}

/** A webhook receiver on loopback that answers 204 at once and records every delivery. */
async function startReceiver() {
  const receipts: Receipt[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const wallAt = Date.now();
      res.writeHead(204).end();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string; timestamp: string };
      receipts.push({ path: req.url ?? '', eventId: body.id, at, wallAt, eventTs: Date.parse(body.timestamp) });
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    receipts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function run(): Promise<BenchResult> {
  const receiver = await startReceiver();
  const fleet = await startFleet({ env: { KIRIM_ALLOW_PRIVATE_URLS: '1' } });
  const phases: Array<Record<string, unknown> & { webhooks: number }> = [];
  try {
    await fleet.growTo(SESSIONS);
    await waitSettled(fleet.gw, SESSIONS);
    const sessions = fleet.sessions;
    // the SSE arrival of each event, to split the latency into event bus → SSE and → webhook
    const sseAt = new Map<string, number>();
    fleet.gw.events.on((e, at) => {
      if (e.event === 'message.received') sseAt.set(e.data.id, at);
    });
    const hooks: string[] = [];
    for (const webhooks of FAN_OUT) {
      while (hooks.length < webhooks) {
        const r = await fleet.gw.api.post('/v1/webhooks', { url: `${receiver.url}/hook/${hooks.length}`, events: ['message.received'] });
        if (r.status !== 201) throw new Error(`POST /v1/webhooks answered ${r.status}: ${JSON.stringify(r.body)}`);
        hooks.push(r.body.id);
      }
      receiver.receipts.length = 0;
      sseAt.clear();
      const burst: Inbound[] = Array.from({ length: BURST }, (_, k) => ({
        contact: contactPhone(k % 100),
        to: sessions[k % sessions.length].phone,
        text: `hook ${webhooks} ${k}`,
      }));
      const t0 = performance.now();
      await receiveAll(fleet.sim.admin, burst, 32);
      const expected = BURST * webhooks;
      await waitUntil(() => new Set(receiver.receipts.map((r) => `${r.path} ${r.eventId}`)).size >= expected && sseAt.size >= BURST, 600_000, () => `${receiver.receipts.length}/${expected} deliveries, ${sseAt.size}/${BURST} events on SSE`);
      const rs = receiver.receipts;
      const unique = new Set(rs.map((r) => `${r.path} ${r.eventId}`)).size;
      const lastEvent = Math.max(...sseAt.values());
      const first = Math.min(...rs.map((r) => r.at));
      const last = Math.max(...rs.map((r) => r.at));
      phases.push({
        webhooks,
        events: BURST,
        deliveries: rs.length,
        duplicates: rs.length - unique,
        eventsPerSecond: round(BURST / ((lastEvent - t0) / 1000), 0),
        deliveriesPerSecond: round(rs.length / ((last - first) / 1000), 0),
        drainAfterLastEventMs: round(last - lastEvent, 0),
        eventToReceipt: summary(rs.map((r) => r.wallAt - r.eventTs)),
        sseToReceipt: summary(rs.filter((r) => sseAt.has(r.eventId)).map((r) => r.at - sseAt.get(r.eventId)!)),
      });
    }
  } finally {
    await fleet.close();
    await receiver.close();
  }
  const rows = phases.map((p: any) =>
    `| ${p.webhooks} | ${p.events} | ${p.deliveries} | ${p.eventsPerSecond} | **${p.deliveriesPerSecond}** | ${p.drainAfterLastEventMs} | ${p.eventToReceipt.p50} | ${p.eventToReceipt.p95} | ${p.sseToReceipt.p50} | ${p.sseToReceipt.p95} | ${p.duplicates} |`,
  );
  const markdown = `
A burst of ${BURST} inbound texts (simulated contacts → ${SESSIONS} sessions, through the simulator's admin API, 32 at a time), each a
\`message.received\` event, delivered to a local receiver that answers 204 at once, by the real gateway process
(embedded SQLite outbox, default dispatcher: 8 requests in flight) with \`npm run sim\` in another process. With
${FAN_OUT.at(-1)} webhooks each event becomes ${FAN_OUT.at(-1)} deliveries, which shows the dispatcher's own ceiling when events come in
faster than one webhook's worth. Deliveries/s is counted from the first to the last receipt; event→receipt is
from the event's \`timestamp\` (made when the gateway publishes it) to its arrival at the receiver (ms clock), and
SSE→receipt from the same event's arrival on \`/v1/events\` to its arrival at the receiver. Times in ms. 2 cores shared by
gateway, simulator, receiver and other work.

| webhooks | events | deliveries | events/s | deliveries/s | last delivery after last event | event→receipt p50 | p95 | SSE→receipt p50 | p95 | duplicates |
|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`;
  return benchResult({
    name: 'webhooks',
    title: 'Webhook deliveries (issue: messaging)',
    markdown,
    data: { sessions: SESSIONS, burst: BURST, phases },
  });
}
